package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.io.NpzArray;
import io.rankrepro.tasks.io.NpzReader;
import io.rankrepro.tasks.io.NpzWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Inputs X ∈ R^{N×n×d} and the teacher's outputs Y = f*(X), flat in C order, plus the teacher.
 * X has i.i.d. N(0, 1) entries from {@link Random}, whose Gaussian algorithm is specified in
 * the JDK (StrictMath), so a seed gives the same bits on every JVM.
 */
public record ToyDataset(int samples, int tokens, int dim, double[] x, double[] y, DiagonalTeacher teacher) {

    public ToyDataset {
        long size = (long) samples * tokens * dim;
        if (x.length != size || y.length != size || teacher.dim() != dim) {
            throw new IllegalArgumentException("dataset arrays do not match N=" + samples + ", n=" + tokens + ", d=" + dim);
        }
    }

    public static ToyDataset generate(int samples, int tokens, DiagonalTeacher teacher, long seed) {
        int dim = teacher.dim();
        Random random = new Random(seed);
        double[] x = new double[samples * tokens * dim];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian();
        }
        double[] y = DiagonalHeadObjective.forward(x, samples, tokens, teacher.kq(), teacher.vo());
        return new ToyDataset(samples, tokens, dim, x, y, teacher);
    }

    public void write(Path file) throws IOException {
        NpzWriter.write(file, List.of(
                NpzArray.of("X", x, samples, tokens, dim),
                NpzArray.of("Y", y, samples, tokens, dim),
                NpzArray.vector("teacher_kq", teacher.kq()),
                NpzArray.vector("teacher_vo", teacher.vo())));
    }

    public static ToyDataset read(Path file) throws IOException {
        Map<String, NpzArray> a = NpzReader.read(file);
        NpzArray x = require(a, "X", file);
        long[] s = x.shape();
        if (s.length != 3) {
            throw new IOException(file + ": X must be [N, n, d], got rank " + s.length);
        }
        DiagonalTeacher teacher = new DiagonalTeacher(require(a, "teacher_kq", file).data(),
                require(a, "teacher_vo", file).data());
        return new ToyDataset((int) s[0], (int) s[1], (int) s[2], x.data(), require(a, "Y", file).data(), teacher);
    }

    private static NpzArray require(Map<String, NpzArray> a, String name, Path file) throws IOException {
        NpzArray v = a.get(name);
        if (v == null) {
            throw new IOException(file + " lacks array '" + name + "' (has " + a.keySet() + ")");
        }
        return v;
    }
}
