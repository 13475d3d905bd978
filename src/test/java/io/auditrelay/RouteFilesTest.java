package io.auditrelay;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The jar loads its route files by name (AuditRelay.ROUTES): the names are every file of routes/, and they are packaged. */
class RouteFilesTest {

    @Test
    void theJarsRouteListNamesEveryRouteFile() throws IOException {
        List<String> onDisk;
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            onDisk = files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml")).sorted().toList();
        }
        assertEquals(onDisk, AuditRelay.ROUTE_FILES.stream().sorted().toList(),
                "a file added to or removed from routes/ must be added to or removed from AuditRelay.ROUTE_FILES");
    }

    @Test
    void everyListedRouteIsOnTheClasspath() {
        for (String location : AuditRelay.ROUTES.split(",")) {
            String resource = location.substring("classpath:".length());
            assertNotNull(getClass().getClassLoader().getResource(resource), location);
        }
    }
}
