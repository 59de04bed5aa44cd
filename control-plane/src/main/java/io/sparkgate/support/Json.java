package io.sparkgate.support;

import io.sparkgate.error.ErrorKind;
import io.sparkgate.error.SparkgateException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/** JSON for jsonb columns and content hashes, through the application's one JSON mapper. */
@Component
public class Json {

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final JsonMapper mapper;
  private final ObjectReader mapReader;

  public Json(JsonMapper mapper) {
    this.mapper = mapper;
    this.mapReader = mapper.readerFor(MAP);
  }

  /**
   * JSON for a jsonb column. PostgreSQL's text cannot hold NUL characters, so client text carrying
   * one is refused here (400) rather than failing in the database.
   */
  public String write(Object value) {
    String text = mapper.writeValueAsString(value);
    if (containsNulEscape(text)) {
      throw new SparkgateException(
          ErrorKind.MALFORMED_REQUEST, "Text may not contain NUL characters (\\u0000).");
    }
    return text;
  }

  /** Whether JSON text holds the escape of a NUL character (not an escaped backslash + "u0000"). */
  static boolean containsNulEscape(String json) {
    for (int at = json.indexOf("u0000"); at >= 0; at = json.indexOf("u0000", at + 1)) {
      int backslashes = 0;
      for (int i = at - 1; i >= 0 && json.charAt(i) == '\\'; i--) {
        backslashes++;
      }
      if (backslashes % 2 == 1) {
        return true;
      }
    }
    return false;
  }

  public <T> T read(String json, Class<T> type) {
    return mapper.readValue(json, type);
  }

  /**
   * A jsonb object as a mutable map in the text's key order. The empty object, which most runs'
   * labels, conf and metrics are, skips the parser.
   */
  public Map<String, Object> readMap(String json) {
    if (json == null) {
      return null;
    }
    return "{}".equals(json) ? new LinkedHashMap<>() : mapReader.readValue(json);
  }

  /**
   * A canonical text of a value: its JSON with every object's keys sorted, so equal content gives
   * equal text whatever order the client wrote it in.
   */
  public String canonical(Object value) {
    return mapper.writeValueAsString(sorted(mapper.convertValue(value, Object.class)));
  }

  /** The SHA-256 of the canonical text, in hex. */
  public String hash(Object value) {
    return RunSecrets.hash(canonical(value));
  }

  private static Object sorted(Object node) {
    if (node instanceof Map<?, ?> map) {
      Map<String, Object> out = new TreeMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), sorted(v)));
      return out;
    }
    if (node instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      list.forEach(v -> out.add(sorted(v)));
      return out;
    }
    return node;
  }
}
