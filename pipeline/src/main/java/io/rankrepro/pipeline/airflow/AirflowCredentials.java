package io.rankrepro.pipeline.airflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Properties;

/**
 * A user of the Airflow API. From {@code AIRFLOW_USERNAME}/{@code AIRFLOW_PASSWORD}, or from a file
 * ({@code AIRFLOW_CREDENTIALS_FILE} or {@code --credentials-file}) holding either
 * {@code username=...} / {@code password=...} lines or the simple auth manager's passwords JSON
 * ({@code {"admin": "..."}}, one user). {@link #toString()} never shows the password.
 */
public record AirflowCredentials(String username, String password) {

    public static final String ENV_USERNAME = "AIRFLOW_USERNAME";
    public static final String ENV_PASSWORD = "AIRFLOW_PASSWORD";
    public static final String ENV_FILE = "AIRFLOW_CREDENTIALS_FILE";

    public AirflowCredentials {
        if (username == null || username.isBlank()) {
            throw new IllegalArgumentException("Airflow username is empty");
        }
        password = password == null ? "" : password;
    }

    /** {@code file} if given, else the environment ({@value #ENV_USERNAME}, or {@value #ENV_FILE}). */
    public static AirflowCredentials resolve(Path file, Map<String, String> env) throws IOException {
        if (file != null) {
            return fromFile(file);
        }
        String user = env.get(ENV_USERNAME);
        if (user != null && !user.isBlank()) {
            return new AirflowCredentials(user, env.getOrDefault(ENV_PASSWORD, ""));
        }
        String path = env.get(ENV_FILE);
        if (path != null && !path.isBlank()) {
            return fromFile(Path.of(path));
        }
        throw new IllegalArgumentException("no Airflow credentials: set " + ENV_USERNAME + " and " + ENV_PASSWORD
                + ", or " + ENV_FILE + " (or --credentials-file) to a file with username=/password= lines");
    }

    public static AirflowCredentials fromFile(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (text.startsWith("{")) {
            JsonNode users = new ObjectMapper().readTree(text);
            Iterator<Map.Entry<String, JsonNode>> it = users.fields();
            if (users.size() != 1 || !it.hasNext()) {
                throw new IllegalArgumentException(file + ": expected one user in the passwords JSON, found " + users.size());
            }
            Map.Entry<String, JsonNode> e = it.next();
            return new AirflowCredentials(e.getKey(), e.getValue().asText());
        }
        Properties p = new Properties();
        p.load(new StringReader(text));
        String user = p.getProperty("username");
        if (user == null) {
            throw new IllegalArgumentException(file + ": no username= line (expected username=... and password=...)");
        }
        return new AirflowCredentials(user.strip(), p.getProperty("password", "").strip());
    }

    @Override
    public String toString() {
        return "AirflowCredentials[" + username + ", password hidden]";
    }
}
