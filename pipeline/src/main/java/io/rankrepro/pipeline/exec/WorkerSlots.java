package io.rankrepro.pipeline.exec;

import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The workers of one {@code rankrepro run}, shared by every DAG it runs (all its specs at once), so
 * that one spec's last long training does not leave the other workers idle until the next spec
 * begins. A free slot goes to the waiting task with the longest chain of expected costs, whatever
 * its spec ({@link TaskCosts}); equal chains in the order they asked. It also knows which task keys
 * are being computed by this run, so that a task two specs share is computed once and the second
 * spec waits for it without holding a slot.
 */
public final class WorkerSlots {
    /** A place in the queue for a slot. */
    public record Ticket(double chain, long order) { }

    private final int size;
    private int busy;
    private final PriorityQueue<Ticket> waiting = new PriorityQueue<>((a, b) -> a.chain != b.chain
            ? Double.compare(b.chain, a.chain) : Long.compare(a.order, b.order));
    private final AtomicLong orders = new AtomicLong();
    private final ConcurrentHashMap<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

    public WorkerSlots(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + size);
        }
        this.size = size;
    }

    public int size() {
        return size;
    }

    /**
     * Queues a task whose chain is {@code chain} for a slot. The executor queues in its own thread,
     * in chain order, before the task's thread waits ({@link #await}): which task gets a slot then
     * does not depend on which thread the scheduler starts first.
     */
    public synchronized Ticket enqueue(double chain) {
        Ticket t = new Ticket(chain, orders.getAndIncrement());
        waiting.add(t);
        notifyAll();
        return t;
    }

    /** Blocks until {@code ticket} holds a slot: one is free and no longer chain waits. */
    public synchronized void await(Ticket ticket) throws InterruptedException {
        try {
            while (busy >= size || waiting.peek() != ticket) {
                wait();
            }
        } finally {
            waiting.remove(ticket);
            notifyAll(); // the next in line may now be at the head
        }
        busy++;
    }

    /** Leaves the queue without a slot (the task needs none after all). */
    public synchronized void cancel(Ticket ticket) {
        waiting.remove(ticket);
        notifyAll();
    }

    /** Queues and waits: {@link #enqueue} then {@link #await}. */
    public void acquire(double chain) throws InterruptedException {
        await(enqueue(chain));
    }

    public synchronized void release() {
        busy--;
        notifyAll();
    }

    /**
     * Claims {@code key} for this caller: null when nobody in this run computes it (the caller does,
     * then calls {@link #done}); otherwise what completes when the one that does is done.
     */
    CompletableFuture<Void> claim(String key, CompletableFuture<Void> mine) {
        return inFlight.putIfAbsent(key, mine);
    }

    void done(String key, CompletableFuture<Void> mine) {
        inFlight.remove(key, mine);
        mine.complete(null);
    }
}
