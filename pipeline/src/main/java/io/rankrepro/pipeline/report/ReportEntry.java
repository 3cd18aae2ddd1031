package io.rankrepro.pipeline.report;

import java.util.Map;

/**
 * One figure's section of the report: its run summary, the bytes of its images (embedded in the
 * page so it works offline and as a single MLflow artifact) and where its provenance is.
 *
 * @param images         image path (as in {@link RunSummary#files()}) → PNG bytes; a missing path shows as missing
 * @param provenanceHref link to its {@code provenance.json}, relative to the page; null if none
 */
public record ReportEntry(RunSummary summary, Map<String, byte[]> images, String provenanceHref) {
    public ReportEntry {
        images = Map.copyOf(images);
    }
}
