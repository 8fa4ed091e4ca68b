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
}
