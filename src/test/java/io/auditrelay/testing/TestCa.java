package io.auditrelay.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A certificate authority made at test time with the JDK's keytool: a CA key pair, a broker key pair signed by it for
 * the given subject alternative names, and the files a TLS test needs: the CA as PEM, a PKCS12 trust store holding
 * the CA, and a PKCS12 key store holding the broker's key and chain. Nothing is checked in; every run has new keys.
 */
public final class TestCa {

    private final Path dir;
    private final String password = UUID.randomUUID().toString().replace("-", "");

    private TestCa(Path dir) {
        this.dir = dir;
    }

    /** Makes the CA and a broker certificate for {@code sans}, e.g. {@code ip:127.0.0.1}, {@code dns:broker.example}. */
    public static TestCa create(Path dir, String... sans) {
        TestCa ca = new TestCa(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ca.keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=Audit Relay Test CA",
                "-ext", "bc:c", "-validity", "3", "-keystore", ca.file("ca.p12"), "-storetype", "PKCS12");
        ca.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.file("ca.p12"), "-file", ca.file("ca.pem"));
        ca.keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=pulsar-broker",
                "-validity", "3", "-keystore", ca.file("broker.p12"), "-storetype", "PKCS12");
        ca.keytool("-certreq", "-alias", "broker", "-keystore", ca.file("broker.p12"), "-file", ca.file("broker.csr"));
        ca.keytool("-gencert", "-alias", "ca", "-keystore", ca.file("ca.p12"), "-infile", ca.file("broker.csr"),
                "-outfile", ca.file("broker.pem"), "-rfc", "-validity", "3", "-ext", "SAN=" + String.join(",", sans),
                "-ext", "KU=digitalSignature,keyEncipherment", "-ext", "EKU=serverAuth");
        ca.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", ca.file("ca.pem"), "-keystore", ca.file("broker.p12"));
        ca.keytool("-importcert", "-alias", "broker", "-file", ca.file("broker.pem"), "-keystore", ca.file("broker.p12"));
        ca.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", ca.file("ca.pem"), "-keystore", ca.file("trust.p12"),
                "-storetype", "PKCS12");
        return ca;
    }

    /** The CA certificate, PEM. */
    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    /** A PKCS12 trust store holding the CA certificate ({@link #password()}). */
    public Path trustStore() {
        return dir.resolve("trust.p12");
    }

    /** A PKCS12 key store with the broker's key and its chain ({@link #password()}). */
    public Path brokerKeyStore() {
        return dir.resolve("broker.p12");
    }

    public String password() {
        return password;
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    private void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-storepass", password));
        if (args[0].equals("-genkeypair")) {
            command.addAll(List.of("-keypass", password));
        }
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
