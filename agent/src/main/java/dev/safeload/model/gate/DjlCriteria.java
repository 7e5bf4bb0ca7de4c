package dev.safeload.model.gate;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Reads where a DJL {@code Criteria} will load its model from, through DJL's public API by
 * reflection, so the agent does not depend on DJL: criteria → model zoo → model loaders → MRL
 * → repository base URI.
 */
final class DjlCriteria {

    private DjlCriteria() {
    }

    static List<URI> modelLocations(Object criteria) throws ReflectiveOperationException {
        List<URI> locations = new ArrayList<>();
        Object zoo = call(criteria, "getModelZoo");
        if (zoo == null) {
            return locations;
        }
        Object loaders = call(zoo, "getModelLoaders");
        if (loaders instanceof Collection<?> all) {
            for (Object loader : all) {
                Object mrl = call(loader, "getMrl");
                Object repository = mrl == null ? null : call(mrl, "getRepository");
                Object base = repository == null ? null : call(repository, "getBaseUri");
                if (base instanceof URI uri) {
                    locations.add(uri);
                }
            }
        }
        return locations;
    }

    private static Object call(Object target, String method) throws ReflectiveOperationException {
        return target.getClass().getMethod(method).invoke(target);
    }
}
