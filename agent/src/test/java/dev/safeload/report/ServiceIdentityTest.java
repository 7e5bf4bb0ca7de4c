package dev.safeload.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceIdentityTest {

    @Test
    void takesTheServiceFromOpenTelemetryResourceAttributes() {
        ServiceIdentity id = ServiceIdentity.resolve(null, null, null, Map.of(
                "OTEL_RESOURCE_ATTRIBUTES", "service.name=fraud-scorer, service.version=2.4.1,"
                        + "deployment.environment.name=prod%2Deu,team=risk"));

        assertEquals(new ServiceIdentity("fraud-scorer", "2.4.1", "prod-eu"), id);
    }

    @Test
    void prefersOtelServiceNameOverTheResourceAttributeAndTheOlderEnvironmentKeyLast() {
        ServiceIdentity id = ServiceIdentity.resolve(null, null, null, Map.of(
                "OTEL_SERVICE_NAME", "scorer",
                "OTEL_RESOURCE_ATTRIBUTES", "service.name=other,deployment.environment=staging"));

        assertEquals(new ServiceIdentity("scorer", null, "staging"), id);
    }

    @Test
    void prefersSafeloadKeysOverOpenTelemetry() {
        ServiceIdentity id = ServiceIdentity.resolve("ranker", "7", "canary", Map.of(
                "OTEL_SERVICE_NAME", "scorer",
                "OTEL_RESOURCE_ATTRIBUTES", "service.version=2,deployment.environment.name=prod"));

        assertEquals(new ServiceIdentity("ranker", "7", "canary"), id);
    }

    @Test
    void ignoresMalformedResourceEntriesInsteadOfFailing() {
        ServiceIdentity id = ServiceIdentity.resolve("", null, null, Map.of(
                "OTEL_RESOURCE_ATTRIBUTES", "garbage,=x,service.name=%zz,service.version=1.0"));

        assertEquals(new ServiceIdentity(null, "1.0", null), id);
    }
}
