package io.sluice.destination.kinesis;

import io.sluice.spi.config.ProblemReporter;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationFactory;
import java.net.URI;
import java.net.URISyntaxException;

/** {@code type: kinesis}: Amazon Kinesis Data Streams via PutRecords. */
public final class KinesisDestinationFactory implements DestinationFactory<KinesisDestinationConfig> {

    @Override
    public String type() {
        return "kinesis";
    }

    @Override
    public String description() {
        return "Amazon Kinesis Data Streams (PutRecords, many samples per record as gzip'd JSON Lines)";
    }

    @Override
    public Class<KinesisDestinationConfig> configType() {
        return KinesisDestinationConfig.class;
    }

    @Override
    public void validate(KinesisDestinationConfig c, ProblemReporter problems) {
        c.endpointOverride().ifPresent(e -> {
            try {
                URI uri = new URI(e);
                if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                        || uri.getHost() == null) {
                    problems.report("endpoint-override", "expected an http:// or https:// URL with a host, got '" + e + "'");
                }
            } catch (URISyntaxException ex) {
                problems.report("endpoint-override", "expected a URL such as https://kinesis.eu-central-1.amazonaws.com: " + ex.getMessage());
            }
        });
        String literal = c.partitionKey().render(p -> "", "");
        if (literal.length() > KinesisDestination.MAX_PARTITION_KEY_CHARS) {
            problems.report("partition-key", "the fixed text of the template is " + literal.length()
                    + " characters; a partition key has at most 256");
        }
        if (c.maxRecordSize().bytes() < 1024) {
            problems.report("max-record-size", "expected at least 1KB, got " + c.maxRecordSize());
        }
        if (c.maxRecordSize().bytes() > c.maxRequestSize().bytes()) {
            problems.report("max-record-size", "must not be larger than max-request-size (" + c.maxRequestSize() + ")");
        }
    }

    @Override
    public Destination create(String name, KinesisDestinationConfig config) {
        return new KinesisDestination(name, config);
    }
}
