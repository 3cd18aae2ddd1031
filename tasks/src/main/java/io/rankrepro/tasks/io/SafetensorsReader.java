package io.rankrepro.tasks.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads safetensors files: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}}, then the
 * raw little-endian data, offsets relative to its start ({@link SafetensorsHeader} checks it). F64,
 * F32, F16 and BF16 are read as doubles; integer, bool and 8-bit-float tensors are skipped, not
 * refused. Every error is an {@link IOException} that names the file.
 */
public final class SafetensorsReader {
    public static final String METADATA_KEY = "__metadata__";

    private SafetensorsReader() { }

    /** Every F64/F32/F16/BF16 tensor of {@code file}; tensors of other types are checked and skipped. */
    public static SafetensorsFile read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            SafetensorsHeader header = SafetensorsHeader.read(ch, file);
            List<SafetensorsTensor> tensors = new ArrayList<>(header.entries().size());
            for (SafetensorsHeader.Entry e : header.entries()) {
                if (!e.dtype().readable()) {
                    continue;
                }
                if (e.bytes() > Integer.MAX_VALUE - 8) {
                    throw SafetensorsHeader.corrupt(file, "tensor '" + e.name() + "' has " + e.bytes() + " bytes, more than one array holds");
                }
                ByteBuffer b = SafetensorsHeader.readFully(ch, e.position(), (int) e.bytes(), file).order(ByteOrder.LITTLE_ENDIAN);
                tensors.add(new SafetensorsTensor(e.name(), e.dtype(), e.shape(), decode(b, e.dtype())));
            }
            return SafetensorsFile.of(tensors, header.metadata());
        }
    }

    private static double[] decode(ByteBuffer b, SafetensorsDtype dtype) {
        double[] out = new double[b.remaining() / dtype.bytes()];
        for (int i = 0; i < out.length; i++) {
            out[i] = dtype.get(b, i);
        }
        return out;
    }

    /** IEEE 754 binary16 to float (Float.float16ToFloat arrived only in Java 20). */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13)); // inf or NaN
        }
        if (exponent == 0) {
            float subnormal = mantissa * 0x1p-24f;
            return sign == 0 ? subnormal : -subnormal;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
