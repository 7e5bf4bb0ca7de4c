package dev.safeload.model.xgboost;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ModelSources;
import java.io.IOException;
import java.io.InputStream;

/**
 * Walks an XGBoost JSON model to its end with a streaming parser, reporting every container
 * and scalar to a {@link ModelDocument}. Duplicate keys are refused (which one XGBoost keeps is
 * not this reader's guess to make), and so is anything after the document.
 */
final class JsonModelReader {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private JsonModelReader() {
    }

    static void read(ModelSource source, ModelDocument doc) throws IOException {
        try (InputStream in = ModelSources.stream(source, 0); JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("the document is not an object");
            }
            doc.begin("", true);
            int depth = 1;
            String key = null;
            while (depth > 0) {
                JsonToken t = p.nextToken();
                if (t == null) {
                    throw new IOException("ends inside the document");
                }
                switch (t) {
                    case FIELD_NAME -> {
                        key = p.currentName();
                        continue;
                    }
                    case START_OBJECT, START_ARRAY -> {
                        doc.begin(p.getParsingContext().getParent().inObject() ? key : null, t == JsonToken.START_OBJECT);
                        depth++;
                    }
                    case END_OBJECT, END_ARRAY -> {
                        doc.end();
                        depth--;
                    }
                    default -> doc.scalar(p.getParsingContext().inObject() ? key : null, p.getText());
                }
                key = null;
            }
            if (p.nextToken() != null) {
                throw new IOException("content after the document at offset " + p.currentLocation().getByteOffset());
            }
        }
    }
}
