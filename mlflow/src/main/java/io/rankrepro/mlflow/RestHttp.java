package io.rankrepro.mlflow;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Plain HTTP to the tracking server for what the Java client does not do well (health, artifacts):
 * credentials on every request, a few retries on connection errors and 5xx/429 (the server shares
 * two cores with the training it tracks), and errors that say what was asked.
 */
final class RestHttp {

    private static final int ATTEMPTS = 4;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final String base;
    private final MlflowCredentials credentials;
    private final HttpClient client;

    RestHttp(String baseUri, MlflowCredentials credentials) {
        this.base = baseUri.endsWith("/") ? baseUri.substring(0, baseUri.length() - 1) : baseUri;
        this.credentials = credentials;
        // HTTP/1.1: the tracking server speaks only that (uvicorn/h11); the default HTTP/2 asks it to
        // upgrade on every plain-http request, which it declines with two warning lines in its log
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** GET {@code path} (relative to the base, may carry a query) and return the body. */
    byte[] get(String path, Duration timeout) {
        HttpResponse<byte[]> r = send(request(path).timeout(timeout).GET(), HttpResponse.BodyHandlers.ofByteArray(), "GET", path);
        return r.body();
    }

    byte[] get(String path) {
        return get(path, CALL_TIMEOUT);
    }

    /** GET {@code path} into {@code target} (replaced); no overall timeout, files may be large. */
    void download(String path, Path target) {
        HttpResponse<InputStream> r = send(request(path).GET(), HttpResponse.BodyHandlers.ofInputStream(), "GET", path);
        try (InputStream in = r.body()) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new TrackingException("downloading " + base + "/" + path + " failed: " + e.getMessage(), e);
        }
    }

    /** PUT the bytes of {@code file} to {@code path}. */
    void upload(String path, Path file) {
        HttpRequest.BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.ofFile(file);
        } catch (IOException e) {
            throw new TrackingException("cannot read " + file + " for upload: " + e.getMessage(), e);
        }
        send(request(path).header("Content-Type", "application/octet-stream").PUT(body),
                HttpResponse.BodyHandlers.discarding(), "PUT", path);
    }

    /** The base URI followed by {@code path}, for messages and links. */
    String url(String path) {
        return base + "/" + path;
    }

    /** Each '/'-separated part of {@code path} percent-encoded for a URL path. */
    static String encodePath(String path) {
        StringBuilder out = new StringBuilder();
        for (String part : path.split("/", -1)) {
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(encode(part));
        }
        return out.toString();
    }

    /** {@code s} percent-encoded for a query value or a path part. */
    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/" + path));
        credentials.authorizationHeader().ifPresent(h -> b.header("Authorization", h));
        return b;
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder builder, HttpResponse.BodyHandler<T> handler,
                                     String method, String path) {
        HttpRequest request = builder.build();
        IOException lastError = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<T> r = client.send(request, handler);
                int code = r.statusCode();
                if (code / 100 == 2) {
                    return r;
                }
                boolean retry = (code >= 500 || code == 429) && attempt < ATTEMPTS;
                if (!retry) {
                    throw new TrackingException(method + " " + url(path) + " answered HTTP " + code + errorText(r.body()));
                }
                closeQuietly(r.body());
            } catch (IOException e) {
                lastError = e;
                if (attempt == ATTEMPTS) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TrackingException(method + " " + url(path) + " interrupted", e);
            }
            sleep(250L << attempt);
        }
        throw new TrackingException(method + " " + url(path) + " failed: " + describe(lastError), lastError);
    }

    private static String describe(IOException e) {
        if (e == null) {
            return "server kept answering with errors";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static String errorText(Object body) {
        String text = null;
        if (body instanceof byte[] bytes) {
            text = new String(bytes, StandardCharsets.UTF_8);
        } else if (body instanceof InputStream in) {
            try (in) {
                text = new String(in.readNBytes(2000), StandardCharsets.UTF_8);
            } catch (IOException ignored) {
                // the status code alone must do
            }
        }
        if (text == null || text.isBlank()) {
            return "";
        }
        return ": " + (text.length() > 500 ? text.substring(0, 500) + "..." : text.strip());
    }

    private static void closeQuietly(Object body) {
        if (body instanceof InputStream in) {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing useful to do
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrackingException("interrupted while waiting to retry", e);
        }
    }
}
