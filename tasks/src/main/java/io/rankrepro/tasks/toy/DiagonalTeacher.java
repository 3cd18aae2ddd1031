package io.rankrepro.tasks.toy;

import java.util.Arrays;

/**
 * The teacher head: the products it realizes, kq = w*_K⊙w*_Q and vo = w*_V⊙w*_O. Few, distinct
 * nonzero entries give the student distinct stages to learn one at a time.
 *
 * @param kq diagonal of the teacher's W_K W_Q^T, length d
 * @param vo diagonal of the teacher's W_V W_O, length d
 */
public record DiagonalTeacher(double[] kq, double[] vo) {

    public DiagonalTeacher {
        if (kq.length != vo.length || kq.length == 0) {
            throw new IllegalArgumentException("teacher kq and vo must have the same, positive length; got "
                    + kq.length + " and " + vo.length);
        }
        kq = kq.clone();
        vo = vo.clone();
    }

    public int dim() {
        return kq.length;
    }

    @Override
    public double[] kq() {
        return kq.clone();
    }

    @Override
    public double[] vo() {
        return vo.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DiagonalTeacher t && Arrays.equals(kq, t.kq) && Arrays.equals(vo, t.vo);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(kq) + Arrays.hashCode(vo);
    }

    @Override
    public String toString() {
        return "DiagonalTeacher[kq=" + Arrays.toString(kq) + ", vo=" + Arrays.toString(vo) + "]";
    }
}
