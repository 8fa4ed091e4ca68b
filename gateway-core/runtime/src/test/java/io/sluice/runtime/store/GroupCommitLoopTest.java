package io.sluice.runtime.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class GroupCommitLoopTest {

    /** Records batches; the first commit waits on a gate so that later submissions gather. */
    static final class Recorder implements GroupCommitLoop.Handler<Integer> {
        final List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        final AtomicInteger periodic = new AtomicInteger();
        final CountDownLatch gate = new CountDownLatch(1);
        final CountDownLatch firstStarted = new CountDownLatch(1);

        @Override
        public void commit(List<Integer> batch) {
            firstStarted.countDown();
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            batches.add(new ArrayList<>(batch));
        }

        @Override
        public void periodic() {
            periodic.incrementAndGet();
        }

        @Override
        public void fail(List<Integer> ops, Throwable failure) {
            batches.add(List.of());
        }
    }

    @Test
    void operationsArrivingWhileOneBatchCommitsShareTheNextBatch() throws Exception {
        Recorder r = new Recorder();
        GroupCommitLoop<Integer> loop = new GroupCommitLoop<>("t", Duration.ofMillis(1), 1 << 20, Duration.ofHours(1), r);
        loop.start();
        loop.submit(0, 10);
        assertTrue(r.firstStarted.await(10, TimeUnit.SECONDS));
        for (int i = 1; i <= 5; i++) loop.submit(i, 10);
        r.gate.countDown();
        loop.close();
        assertEquals(List.of(List.of(0), List.of(1, 2, 3, 4, 5)), r.batches);
    }

    @Test
    void submitBlocksWhileTooManyBytesWaitAndThePeriodicTaskRunsOnRequest() throws Exception {
        Recorder r = new Recorder();
        GroupCommitLoop<Integer> loop = new GroupCommitLoop<>("t", Duration.ofMillis(1), 100, Duration.ofHours(1), r);
        loop.start();
        loop.submit(0, 100);
        assertTrue(r.firstStarted.await(10, TimeUnit.SECONDS));
        AtomicBoolean submitted = new AtomicBoolean();
        Thread producer = new Thread(() -> {
            loop.submit(1, 100);
            submitted.set(true);
        });
        producer.start();
        producer.join(300);
        assertFalse(submitted.get(), "back-pressure: 100 bytes wait, the next 100 must wait too");
        r.gate.countDown();
        producer.join(10_000);
        assertTrue(submitted.get());
        loop.periodicSoon();
        loop.submit(2, 0);
        await("the periodic task ran").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                .until(() -> r.periodic.get() > 0);
        loop.close();
    }

    /** Records batches at once; negative operations can wait (like a publisher's cursor move). */
    static final class Holding implements GroupCommitLoop.Handler<Integer> {
        final List<List<Integer>> batches = new CopyOnWriteArrayList<>();

        @Override
        public void commit(List<Integer> batch) {
            batches.add(new ArrayList<>(batch));
        }

        @Override
        public void periodic() {
        }

        @Override
        public void fail(List<Integer> ops, Throwable failure) {
            batches.add(List.of());
        }

        @Override
        public boolean canWait(Integer op) {
            return op < 0;
        }
    }

    @Test
    void whileOperationsFlowOneThatCanWaitSharesTheNextOnesBatch() throws Exception {
        Holding h = new Holding();
        GroupCommitLoop<Integer> loop = new GroupCommitLoop<>("t", Duration.ofMillis(1), 1 << 20, Duration.ofHours(1), h);
        loop.holdFor(Duration.ofMinutes(1));
        loop.start();
        try {
            loop.submit(1, 10);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(() -> h.batches.size() == 1);
            loop.submit(-1, 0);
            Thread.sleep(50); // well past the 1 ms window: without the hold, -1 would commit alone
            loop.submit(2, 10);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(() -> h.batches.size() >= 2);
            assertEquals(List.of(List.of(1), List.of(-1, 2)), h.batches);
        } finally {
            loop.close();
        }
    }

    @Test
    void anOperationThatCanWaitIsNotHeldWhenNothingFlowsNorPastTheHold() throws Exception {
        Holding h = new Holding();
        GroupCommitLoop<Integer> loop = new GroupCommitLoop<>("t", Duration.ofMillis(1), 1 << 20, Duration.ofHours(1), h);
        loop.holdFor(Duration.ofMinutes(10));
        loop.start();
        try {
            loop.submit(-1, 0); // nothing committed yet: nothing to wait for
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(() -> h.batches.size() == 1);
            assertEquals(List.of(-1), h.batches.get(0));
        } finally {
            loop.close();
        }
        Holding h2 = new Holding();
        GroupCommitLoop<Integer> loop2 = new GroupCommitLoop<>("t", Duration.ofMillis(1), 1 << 20, Duration.ofHours(1), h2);
        loop2.holdFor(Duration.ofMillis(100));
        loop2.start();
        try {
            loop2.submit(1, 10);
            loop2.submit(-1, 0);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                    .until(() -> h2.batches.stream().anyMatch(b -> b.contains(-1)));
        } finally {
            loop2.close();
        }
    }

    @Test
    void closingCommitsAHeldOperation() throws Exception {
        Holding h = new Holding();
        GroupCommitLoop<Integer> loop = new GroupCommitLoop<>("t", Duration.ofMillis(1), 1 << 20, Duration.ofHours(1), h);
        loop.holdFor(Duration.ofMinutes(10));
        loop.start();
        loop.submit(1, 10);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(() -> h.batches.size() == 1);
        loop.submit(-1, 0);
        loop.close();
        assertEquals(List.of(List.of(1), List.of(-1)), h.batches);
    }
}
