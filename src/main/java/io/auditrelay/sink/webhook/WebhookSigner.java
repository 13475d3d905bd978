package io.auditrelay.sink.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com/): {@code v1,<base64 HMAC-SHA256 of
 * "<webhook-id>.<webhook-timestamp>.<body>">}, keyed with the base64-decoded bytes of the secret after its
 * {@code whsec_} prefix. Holds the key bytes only; never prints them.
 */
public final class WebhookSigner {

    private static final String PREFIX = "whsec_";
    private final byte[] key;

    public WebhookSigner(String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("relay.sink.webhook.secret is not set (expected whsec_<base64>)");
        }
        String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
        try {
            this.key = Base64.getDecoder().decode(encoded.trim());
        } catch (IllegalArgumentException e) {
            // no detail: the message would contain part of the secret
            throw new IllegalArgumentException("relay.sink.webhook.secret is not whsec_<base64>");
        }
    }

    public String sign(String id, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] digest = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * Signs the exchange's body (a String) as a request of kamelets/audit-webhook-sink.kamelet.yaml: sets
     * {@code webhook-id} (the event id from header relayEventId), {@code webhook-timestamp} and {@code webhook-signature}.
     */
    public void signRequest(org.apache.camel.Exchange exchange) {
        org.apache.camel.Message message = exchange.getMessage();
        String id = message.getHeader("relayEventId", String.class);
        if (id == null) {
            id = exchange.getExchangeId();
        }
        long timestamp = System.currentTimeMillis() / 1000;
        message.setHeader("webhook-id", id);
        message.setHeader("webhook-timestamp", Long.toString(timestamp));
        message.setHeader("webhook-signature", sign(id, timestamp, message.getBody(String.class)));
    }

    @Override
    public String toString() {
        return "WebhookSigner[key=***]";
    }
}
