package io.rankrepro.tasks.model;

import org.ejml.data.DMatrixRMaj;

/**
 * Cuts one head's d×d_h factor out of a row-major weight matrix, as float64 EJML matrices for
 * the rank analysis. {@link #columns} serves the {@link AttentionLayout} of our models (and the
 * q/k/v blocks of GPT-2's Conv1D {@code c_attn}); {@link #rowsTransposed} serves GPT-2's
 * {@code c_proj}, whose head blocks are rows.
 */
public final class HeadSlices {
    private HeadSlices() { }

    /**
     * Columns {@code offset + h·d_h … offset + (h+1)·d_h − 1} of a [rows, cols] row-major matrix.
     */
    public static DMatrixRMaj columns(double[] data, int rows, int cols, int offset, int head, int headWidth) {
        int start = offset + head * headWidth;
        check(data, rows, cols, start + headWidth <= cols, "columns " + start + ".." + (start + headWidth - 1));
        DMatrixRMaj out = new DMatrixRMaj(rows, headWidth);
        for (int i = 0; i < rows; i++) {
            System.arraycopy(data, i * cols + start, out.data, i * headWidth, headWidth);
        }
        return out;
    }

    /** Rows {@code h·d_h … (h+1)·d_h − 1} of a [rows, cols] row-major matrix, transposed to [cols, d_h]. */
    public static DMatrixRMaj rowsTransposed(double[] data, int rows, int cols, int head, int headWidth) {
        int start = head * headWidth;
        check(data, rows, cols, start + headWidth <= rows, "rows " + start + ".." + (start + headWidth - 1));
        DMatrixRMaj out = new DMatrixRMaj(cols, headWidth);
        for (int r = 0; r < headWidth; r++) {
            for (int c = 0; c < cols; c++) {
                out.data[c * headWidth + r] = data[(start + r) * cols + c];
            }
        }
        return out;
    }

    private static void check(double[] data, int rows, int cols, boolean fits, String what) {
        if ((long) rows * cols != data.length) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " matrix needs " + (long) rows * cols
                    + " values, got " + data.length);
        }
        if (!fits) {
            throw new IllegalArgumentException(what + " lie outside a " + rows + "x" + cols + " matrix");
        }
    }
}
