package io.rankrepro.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ArtifactStoreTest {

    @Test
    void findsTheProxiedRootOfARunsArtifactUri() {
        assertEquals("1/abc/artifacts", ArtifactStore.proxiedRoot("mlflow-artifacts:/1/abc/artifacts"));
        assertEquals("1/abc/artifacts", ArtifactStore.proxiedRoot("mlflow-artifacts://host:5000/1/abc/artifacts/"));
        assertEquals("7/r/artifacts", ArtifactStore.proxiedRoot(
                "http://127.0.0.1:5000/api/2.0/mlflow-artifacts/artifacts/7/r/artifacts"));
    }

    @Test
    void refusesArtifactRootsTheServerDoesNotProxy() {
        TrackingException e = assertThrows(TrackingException.class,
                () -> ArtifactStore.proxiedRoot("/srv/mlruns/1/abc/artifacts"));
        assertEquals(true, e.getMessage().contains("--serve-artifacts"));
        assertThrows(TrackingException.class, () -> ArtifactStore.proxiedRoot("s3://bucket/1/abc/artifacts"));
    }

    @Test
    void joinsRelativePathsAndRefusesEscapes() {
        assertEquals("a/b.txt", ArtifactStore.join("a", "b.txt"));
        assertEquals("a/b.txt", ArtifactStore.join("/a/", "b.txt"));
        assertEquals("b.txt", ArtifactStore.join("", "b.txt"));
        assertEquals("b.txt", ArtifactStore.join(null, "b.txt"));
        assertEquals("a", ArtifactStore.join("a", ""));
        assertThrows(IllegalArgumentException.class, () -> ArtifactStore.join("../a", "b"));
        assertThrows(IllegalArgumentException.class, () -> ArtifactStore.join("a", "./b"));
    }

    @Test
    void encodesEachPathPartForAUrl() {
        assertEquals("a%20b/c%2Bd/%C3%A9.txt", RestHttp.encodePath("a b/c+d/é.txt"));
    }
}
