package io.auditrelay.mapper;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The registry of vendor mappers, one shared stateless instance per vendor. */
public final class Mappers {

    private static final Map<String, VendorMapper> BY_VENDOR = Stream.<VendorMapper>of(
                    new AstraMapper(), new CockroachDbMapper(), new ConduktorMapper(), new AirkitMapper())
            .collect(Collectors.toMap(VendorMapper::vendor, Function.identity(), (a, b) -> a, TreeMap::new));

    private Mappers() {
    }

    /**
     * The mapper for a vendor name such as {@code astra}.
     *
     * @throws IllegalArgumentException when no mapper handles that vendor
     */
    public static VendorMapper forVendor(String vendor) {
        VendorMapper mapper = vendor == null ? null : BY_VENDOR.get(vendor);
        if (mapper == null) {
            throw new IllegalArgumentException("unknown vendor '" + vendor + "', known: " + vendors());
        }
        return mapper;
    }

    /** The supported vendor names, sorted. */
    public static Set<String> vendors() {
        return Collections.unmodifiableSet(BY_VENDOR.keySet());
    }

    /** Every mapper, sorted by vendor. */
    public static Collection<VendorMapper> all() {
        return Collections.unmodifiableCollection(BY_VENDOR.values());
    }
}
