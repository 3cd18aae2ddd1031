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
 * A user of the Airflow API. In this order: a file given with {@code --credentials-file}; the
 * environment ({@code AIRFLOW_PASSWORD}, with {@code AIRFLOW_USERNAME} or else user {@value #STACK_USER});
 * a file named by {@code AIRFLOW_CREDENTIALS_FILE}; the local stack's generated settings
 * ({@value #STACK_SETTINGS}, which {@code make up} writes), found in the working folder or above it.
 * A file holds {@code username=...} / {@code password=...} lines, the simple auth manager's passwords
 * JSON ({@code {"admin": "..."}}, one user), or the stack's {@code AIRFLOW_ADMIN_PASSWORD=...} line.
 * {@link #toString()} never shows the password.
 */
public record AirflowCredentials(String username, String password) {

    public static final String ENV_USERNAME = "AIRFLOW_USERNAME";
    public static final String ENV_PASSWORD = "AIRFLOW_PASSWORD";
    public static final String ENV_FILE = "AIRFLOW_CREDENTIALS_FILE";
    /** The local stack's settings (docker/airflow-settings.sh): its admin password, generated once. */
    public static final String STACK_SETTINGS = "docker/.build/airflow.env";
    public static final String STACK_PASSWORD = "AIRFLOW_ADMIN_PASSWORD";
    public static final String STACK_USER = "admin";

    public AirflowCredentials {
        if (username == null || username.isBlank()) {
            throw new IllegalArgumentException("Airflow username is empty");
        }
        password = password == null ? "" : password;
    }

    /**
     * @param file    {@code --credentials-file}, or null
     * @param workdir where to look for the local stack's {@value #STACK_SETTINGS} (and in its parents)
     */
    public static AirflowCredentials resolve(Path file, Map<String, String> env, Path workdir) throws IOException {
        if (file != null) {
            return fromFile(file);
        }
        String user = env.get(ENV_USERNAME);
        String password = env.get(ENV_PASSWORD);
        if ((user != null && !user.isBlank()) || (password != null && !password.isBlank())) {
            return new AirflowCredentials(user == null || user.isBlank() ? STACK_USER : user, password);
        }
        String path = env.get(ENV_FILE);
        if (path != null && !path.isBlank()) {
            return fromFile(Path.of(path));
        }
        for (Path dir = workdir.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path stack = dir.resolve(STACK_SETTINGS);
            if (Files.isRegularFile(stack)) {
                return fromFile(stack);
            }
        }
        throw new IllegalArgumentException("no Airflow credentials: set " + ENV_PASSWORD + " (and " + ENV_USERNAME
                + " unless it is " + STACK_USER + "), or " + ENV_FILE + " (or --credentials-file) to a file with username=/password="
                + " lines; for the local stack, run from the repository after `make up`, which writes " + STACK_SETTINGS);
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
        if (user == null && p.getProperty(STACK_PASSWORD) != null) { // the local stack's settings
            return new AirflowCredentials(STACK_USER, p.getProperty(STACK_PASSWORD).strip());
        }
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
