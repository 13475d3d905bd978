package io.auditrelay.spine;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * The fan-out's aggregation strategy: the chunk's exchange comes out of the recipient list as it went in. Each
 * sink route works on its own copy (with its own selection of the chunk, header relaySink, its progress) and none
 * of that is copied back, as Camel's default (the latest copy wins) would. A sink's failure that its route did not
 * handle still fails the chunk.
 */
public class FanOutResult implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        if (oldExchange != null) {
            return oldExchange;
        }
        // null: nothing to copy back into the chunk's exchange
        return newExchange.getException() != null ? newExchange : null;
    }
}
