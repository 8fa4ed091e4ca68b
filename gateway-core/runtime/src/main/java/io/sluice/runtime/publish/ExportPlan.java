package io.sluice.runtime.publish;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** One stream exported to a destination, with the priority and batching its export asks for. */
record ExportPlan(String stream, int priority, Duration batchInterval, int batchMaxSamples) {

    /** Highest priority first, then by name: the order windows are filled in. */
    static List<ExportPlan> sorted(List<ExportPlan> plans) {
        List<ExportPlan> sorted = new ArrayList<>(plans);
        sorted.sort(Comparator.comparingInt(ExportPlan::priority).thenComparing(ExportPlan::stream));
        return List.copyOf(sorted);
    }
}
