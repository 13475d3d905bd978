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
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange, Exchange inputExchange) {
        if (oldExchange != null && oldExchange != inputExchange) {
            return oldExchange; // a sink failed before
        }
        // the input exchange itself: the recipient list copies nothing back into it
        return newExchange.getException() != null ? newExchange : inputExchange;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        return oldExchange != null ? oldExchange : newExchange;
    }
}
