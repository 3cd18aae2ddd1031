package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.Planner;
import io.rankrepro.pipeline.spec.SpecLoader;
import io.rankrepro.pipeline.track.Tracking;
import io.rankrepro.tasks.task.Progress;
import io.rankrepro.tasks.task.TaskKinds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Longest chain of expected costs first: the costs, the chains, the slot queue, and the order a one-worker run takes. */
class SchedulingTest {
    private static final Path CHAIN = Path.of("src/test/resources/specs/chain.yaml");
    private final TaskKinds kinds = TaskKinds.discover();
    /** a → b[x] → c[x] → d (gather); b[x=2] the longest training. */
    private static final Map<String, Double> COSTS = Map.of("a", 1.0, "b[x=1]", 2.0, "b[x=2]", 5.0, "b[x=3]", 3.0,
            "c[x=1]", 1.0, "c[x=2]", 1.0, "c[x=3]", 1.0, "d", 4.0);

    private Plan plan() throws Exception {
        return new Planner(kinds).plan(SpecLoader.load(CHAIN), "cpu", Map.of());
    }

    @Test
    void aChainIsATasksCostPlusItsLongestDependentChain() throws Exception {
        TaskCosts costs = new TaskCosts(plan(), COSTS);
        // by hand: d 4; c[x] 1+4; b[x] cost+5; a 1 + max(b) = 1 + 10
        assertEquals(4.0, costs.chain("d"));
        assertEquals(5.0, costs.chain("c[x=3]"));
        assertEquals(7.0, costs.chain("b[x=1]"));
        assertEquals(10.0, costs.chain("b[x=2]"));
        assertEquals(8.0, costs.chain("b[x=3]"));
        assertEquals(11.0, costs.chain("a"));
    }

    @Test
    void unknownCostsComeFromTheKindsKnownOnesElseAGuess() throws Exception {
        Map<String, Double> est = TaskCosts.estimate(plan(), Map.of("b[x=1]", 2.0, "c[x=1]", 4.0));
        assertEquals(2.0, est.get("b[x=1]"));
        assertEquals(3.0, est.get("b[x=2]"), "the mean of test/emit's known costs (2 and 4)");
        assertEquals(3.0, est.get("a"));
        assertEquals(TaskCosts.UNKNOWN_SECONDS, est.get("d"), "test/gather: nothing known, no steps");
    }

    @Test
    void aFreeSlotGoesToTheLongestChainWaiting() throws Exception {
        WorkerSlots slots = new WorkerSlots(1);
        slots.acquire(0);
        List<String> order = new CopyOnWriteArrayList<>();
        WorkerSlots.Ticket shortOne = slots.enqueue(1.0);
        WorkerSlots.Ticket longOne = slots.enqueue(5.0);
        WorkerSlots.Ticket alsoLong = slots.enqueue(5.0);
        List<Thread> threads = List.of(waiter(slots, shortOne, "short", order), waiter(slots, alsoLong, "also-long", order),
                waiter(slots, longOne, "long", order));
        threads.forEach(Thread::start);
        slots.release();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of("long", "also-long", "short"), order, "longest chain first, equal chains in the order queued");
    }

    private static Thread waiter(WorkerSlots slots, WorkerSlots.Ticket ticket, String name, List<String> order) {
        return new Thread(() -> {
            try {
                slots.await(ticket);
                order.add(name);
                slots.release();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Test
    void oneWorkerRunsTheLongestChainFirstAndCostsComeBackFromTheStore(@TempDir Path work) throws Exception {
        Plan plan = plan();
        OutputStore store = new OutputStore(work);
        KindCodeSource code = KindCodeSource.whole("test-code");
        TaskRunner runner = new TaskRunner(kinds, store, Tracking.none(), code, Map.of(), id -> Progress.none());
        TaskKeys keys = TaskKeys.compute(plan, code, Map.of(), ExternalData.NONE);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        new LocalExecutor(store, new InProcessLauncher(runner), 1, false, new PrintStream(log, true))
                .execute(plan, keys, new RunReason(store, plan, keys, code), null, new TaskCosts(plan, COSTS));
        List<String> started = log.toString().lines().filter(l -> l.startsWith("▶ ")).map(l -> l.substring(2).split("\\s+")[0]).toList();
        // plan order would be b[x=1], b[x=2], b[x=3]; by chain: b[x=2] (10), b[x=3] (8), b[x=1] (7), then the c's (5 each) as they became ready
        assertEquals(List.of("a", "b[x=2]", "b[x=3]", "b[x=1]", "c[x=2]", "c[x=3]", "c[x=1]", "d"), started, log.toString());

        TaskCosts recorded = TaskCosts.of(plan, store);
        for (var t : plan.tasks()) {
            assertEquals(store.record(keys.key(t.id())).orElseThrow().wallSeconds(), recorded.cost(t.id()), t.id());
        }
    }
}
