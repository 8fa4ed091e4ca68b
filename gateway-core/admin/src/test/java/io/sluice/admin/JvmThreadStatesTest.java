package io.sluice.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Proxy;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class JvmThreadStatesTest {

    @Test
    void everyStateIsOneGaugeFedByOneSnapshotOfTheThreads() {
        ThreadMXBean real = ManagementFactory.getThreadMXBean();
        AtomicInteger snapshots = new AtomicInteger();
        ThreadMXBean counting = (ThreadMXBean) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ThreadMXBean.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getThreadInfo")) snapshots.incrementAndGet();
                    return method.invoke(real, args);
                });
        MeterRegistry registry = new SimpleMeterRegistry();
        JvmThreadStates threadStates = new JvmThreadStates(counting);
        registry.config().meterFilter(threadStates.filter());
        threadStates.bindTo(registry);

        Collection<Gauge> states = registry.find("jvm.threads.states").gauges();
        assertEquals(Thread.State.values().length, states.size());
        double total = 0;
        for (Gauge g : states) total += g.value();
        assertEquals(1, snapshots.get(), "one snapshot answers all the states");
        assertTrue(registry.find("jvm.threads.states").tag("state", "runnable").gauge().value() >= 1, "this thread runs");
        assertTrue(total >= 1 && total <= registry.find("jvm.threads.live").gauge().value() + 5, "states add up to the live threads");
        assertTrue(registry.find("jvm.threads.states").tag("state", "timed-waiting").gauge() != null);
        assertTrue(registry.find("jvm.threads.peak").gauge() != null, "the other thread meters are Micrometer's");
    }
}
