package io.auditrelay.ocsf;

import java.util.Map;

/** The product and vendor names OCSF's {@code metadata.product} and {@code cloud.provider} give for each source. */
public final class Products {

    /**
     * @param name       {@code metadata.product.name}, also {@code cloud.provider}
     * @param vendorName {@code metadata.product.vendor_name}
     * @param timeField  the vendor record's time field, for {@code metadata.original_time}
     */
    public record Product(String name, String vendorName, String timeField) {
    }

    private static final Map<String, Product> PRODUCTS = Map.of(
            "astra", new Product("Astra DB", "DataStax", "eventTime"),
            "cockroachdb", new Product("CockroachDB Cloud", "Cockroach Labs", "created_at"),
            "conduktor", new Product("Conduktor Console", "Conduktor", "time"),
            "airkit", new Product("Airkit.ai", "Airkit", "EVENT_TIME"));

    private Products() {
    }

    /** The product of a vendor; an unknown vendor is named by itself. */
    public static Product of(String vendor) {
        Product product = PRODUCTS.get(vendor);
        return product != null ? product : new Product(String.valueOf(vendor), String.valueOf(vendor), "time");
    }

    /** The vendors with a product entry. */
    public static java.util.Set<String> vendors() {
        return PRODUCTS.keySet();
    }
}
