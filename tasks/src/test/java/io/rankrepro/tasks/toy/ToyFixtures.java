package io.rankrepro.tasks.toy;

/** Small, fast configurations shared by the toy tests. */
final class ToyFixtures {
    /** The cpu profile's teacher (d = 5): four stages vo[0], kq[0], vo[2], kq[3]. */
    static final DiagonalTeacher TEACHER = new DiagonalTeacher(
            new double[] {0.5, 0, 0, -1.0, 0}, new double[] {1.2, 0, -0.5, 0, 0});

    private ToyFixtures() { }

    static ToyDataset data(int samples) {
        return ToyDataset.generate(samples, 4, TEACHER, 0);
    }

    /** Generic weights with every entry nonzero, for gradient checks. */
    static DiagonalHeadWeights genericWeights(int d, long seed) {
        java.util.Random r = new java.util.Random(seed);
        double[][] v = new double[4][d];
        for (double[] row : v) {
            for (int i = 0; i < d; i++) {
                row[i] = 0.3 + 0.7 * r.nextDouble() * (r.nextBoolean() ? 1 : -1);
            }
        }
        return new DiagonalHeadWeights(v[0], v[1], v[2], v[3]);
    }
}
