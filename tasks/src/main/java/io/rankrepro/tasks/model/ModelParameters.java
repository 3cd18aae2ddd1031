package io.rankrepro.tasks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A model's named trainable arrays, in creation order: its state dict. Arrays live in the manager
 * given at construction and require gradients. Initialization draws from a seeded Java
 * {@link Random}, so a seed gives the same weights on every engine and thread count.
 */
public final class ModelParameters {
    private final NDManager manager;
    private final DataType dtype;
    private final Random random;
    private final double initScale;
    private final Map<String, NDArray> arrays = new LinkedHashMap<>();

    public ModelParameters(NDManager manager, DataType dtype, long seed, double initScale) {
        this.manager = manager;
        this.dtype = dtype;
        this.random = new Random(seed);
        this.initScale = initScale;
    }

    /** A weight with PyTorch's default Linear init, U(±1/√fanIn), times the init scale. */
    public NDArray linear(String name, int fanIn, int fanOut) {
        double bound = initScale / Math.sqrt(fanIn);
        return add(name, new Shape(fanIn, fanOut), () -> (2 * random.nextDouble() - 1) * bound);
    }

    /** An embedding table with GPT-2's N(0, 0.02²) init, times the init scale. */
    public NDArray embedding(String name, long... shape) {
        return add(name, new Shape(shape), () -> 0.02 * initScale * random.nextGaussian());
    }

    public NDArray constant(String name, double value, long... shape) {
        return add(name, new Shape(shape), () -> value);
    }

    private NDArray add(String name, Shape shape, java.util.function.DoubleSupplier draw) {
        if (arrays.containsKey(name)) {
            throw new IllegalArgumentException("parameter " + name + " defined twice");
        }
        double[] values = new double[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = draw.getAsDouble();
        }
        NDArray created = manager.create(values, shape);
        NDArray a = created.toType(dtype, false);
        if (a != created) {
            created.close(); // the float64 staging copy; only the cast array is kept
        }
        a.setName(name);
        a.setRequiresGradient(true);
        arrays.put(name, a);
        return a;
    }

    public NDArray get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return a;
    }

    /** Name → array, in creation order (unmodifiable; the arrays themselves are live). */
    public Map<String, NDArray> arrays() {
        return Collections.unmodifiableMap(arrays);
    }

    public long count() {
        return arrays.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    public NDManager manager() {
        return manager;
    }

    public DataType dtype() {
        return dtype;
    }
}
