package io.auditrelay.event;

import java.util.Collections;
import java.util.Iterator;

/**
 * The items of a message body one at a time, for a split: a list or stream (a source unit's records, a unit's events),
 * or the body itself when it is a single item. (Camel's own split of a plain object would split a string at commas.)
 */
public final class OneByOne {

    private OneByOne() {
    }

    public static Iterator<?> of(Object body) {
        if (body instanceof Iterable<?> items) {
            return items.iterator();
        }
        if (body instanceof Iterator<?> items) {
            return items;
        }
        return body == null ? Collections.emptyIterator() : Collections.singletonList(body).iterator();
    }
}
