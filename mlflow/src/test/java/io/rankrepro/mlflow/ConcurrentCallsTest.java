package io.rankrepro.mlflow;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConcurrentCallsTest {

    @Test
    void resultsComeBackInTheCallsOrderWhateverOrderTheyFinishIn() {
        try (ConcurrentCalls calls = new ConcurrentCalls(4)) {
            CountDownLatch lastDone = new CountDownLatch(1);
            List<Callable<Integer>> work = new ArrayList<>();
            // the first call waits for the last one, so they finish out of order
            work.add(() -> {
                assertTrue(lastDone.await(30, TimeUnit.SECONDS));
                return 0;
            });
            work.add(() -> 1);
            work.add(() -> 2);
            work.add(() -> {
                lastDone.countDown();
                return 3;
            });
            assertEquals(List.of(0, 1, 2, 3), calls.all(work));
        }
    }

    @Test
    void asManyCallsAsTheConcurrencyAreInFlightAtOnce() {
        // every call waits until all four have started: with fewer threads the latch would never open
        try (ConcurrentCalls calls = new ConcurrentCalls(4)) {
            CountDownLatch started = new CountDownLatch(4);
            List<Callable<Boolean>> work = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                work.add(() -> {
                    started.countDown();
                    return started.await(30, TimeUnit.SECONDS);
                });
            }
            assertEquals(List.of(true, true, true, true), calls.all(work));
        }
    }

    @Test
    void theFirstFailureIsThrownOnlyAfterEveryCallHasFinished() {
        try (ConcurrentCalls calls = new ConcurrentCalls(3)) {
            AtomicInteger finished = new AtomicInteger();
            CountDownLatch failed = new CountDownLatch(2);
            TrackingException first = new TrackingException("upload 1 failed");
            List<Callable<Void>> work = new ArrayList<>();
            work.add(() -> {
                failed.countDown();
                throw first;
            });
            work.add(() -> {
                failed.countDown();
                throw new TrackingException("upload 2 failed");
            });
            work.add(() -> {
                // still running when both others have failed
                assertTrue(failed.await(30, TimeUnit.SECONDS));
                finished.incrementAndGet();
                return null;
            });
            TrackingException e = assertThrows(TrackingException.class, () -> calls.all(work));
            assertSame(first, e, "the failure of the first call in order");
            assertEquals(1, e.getSuppressed().length);
            assertEquals("upload 2 failed", e.getSuppressed()[0].getMessage());
            assertEquals(1, finished.get(), "the third call ran to its end before all() threw");
        }
    }

    @Test
    void concurrencyOneRunsTheCallsOneAfterAnotherOnTheCallersThread() {
        try (ConcurrentCalls calls = new ConcurrentCalls(1)) {
            Thread caller = Thread.currentThread();
            List<Callable<Boolean>> work = List.of(() -> Thread.currentThread() == caller, () -> Thread.currentThread() == caller);
            assertEquals(List.of(true, true), calls.all(work));
        }
    }

    @Test
    void theConcurrencyComesFromTheEnvironmentAndNonsenseIsRefused() {
        assertEquals(ConcurrentCalls.DEFAULT, ConcurrentCalls.fromEnv(Map.of()));
        assertEquals(8, ConcurrentCalls.fromEnv(Map.of(ConcurrentCalls.ENV_CONCURRENCY, " 8 ")));
        TrackingException e = assertThrows(TrackingException.class,
                () -> ConcurrentCalls.fromEnv(Map.of(ConcurrentCalls.ENV_CONCURRENCY, "0")));
        assertTrue(e.getMessage().contains(ConcurrentCalls.ENV_CONCURRENCY + "=0"), e.getMessage());
        assertThrows(TrackingException.class, () -> ConcurrentCalls.fromEnv(Map.of(ConcurrentCalls.ENV_CONCURRENCY, "many")));
        assertThrows(IllegalArgumentException.class, () -> new ConcurrentCalls(0));
    }
}
