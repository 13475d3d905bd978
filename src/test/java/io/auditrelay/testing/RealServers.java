package io.auditrelay.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects the shared real servers into test / lifecycle method and constructor
 * parameters. Only the servers a test asks for are started; each is started once per test JVM and stopped by a
 * JVM shutdown hook, so one broker serves the whole test run.
 *
 * <pre>
 * &#64;ExtendWith(RealServers.class)
 * class MyTest {
 *     &#64;Test void sends(KafkaServer kafka, PulsarServer pulsar, S3ProxyServer s3) { ... }
 * }
 * </pre>
 */
public final class RealServers implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        Class<?> t = pc.getParameter().getType();
        return t == KafkaServer.class || t == PulsarServer.class || t == S3ProxyServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        Class<?> t = pc.getParameter().getType();
        try {
            if (t == KafkaServer.class) {
                return KafkaServer.shared();
            }
            if (t == PulsarServer.class) {
                return PulsarServer.shared();
            }
            if (t == S3ProxyServer.class) {
                return S3ProxyServer.shared();
            }
        } catch (RuntimeException e) {
            throw new ParameterResolutionException("cannot start " + t.getSimpleName() + ": " + e.getMessage(), e);
        }
        throw new ParameterResolutionException("unsupported parameter type " + t);
    }
}
