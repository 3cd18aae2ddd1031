package io.rankrepro.tasks.toy;

/**
 * One coordinate of w = (kq, vo): an entry of diag(w_K⊙w_Q) or of diag(w_V⊙w_O).
 *
 * @param product {@code "kq"} or {@code "vo"}
 * @param index   entry index in 0..d-1
 */
public record ProductCoordinate(String product, int index) {
    public static final String KQ = "kq";
    public static final String VO = "vo";

    public static ProductCoordinate of(int flatIndex, int dim) {
        return flatIndex < dim ? new ProductCoordinate(KQ, flatIndex) : new ProductCoordinate(VO, flatIndex - dim);
    }

    public int flatIndex(int dim) {
        return product.equals(KQ) ? index : dim + index;
    }

    /** e.g. {@code vo[2]}. */
    public String label() {
        return product + "[" + index + "]";
    }
}
