package io.rankrepro.pipeline.exec;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;

/**
 * The classes a class file names, read from its constant pool (JVMS §4.4) without loading it and
 * without a bytecode library. Every class a class can touch is named there: {@code CONSTANT_Class}
 * entries (super class, interfaces, instantiated, cast-to and called classes, nest members and
 * inner classes, the owners of lambda bodies' method handles) and class names inside the
 * {@code CONSTANT_Utf8} strings that descriptors and signatures are made of (field and method
 * types, {@code NameAndType}, {@code MethodType}, generic signatures, annotation types).
 *
 * <p>Not seen, by construction: classes found by name at run time (reflection, {@link java.util.ServiceLoader})
 * and compile-time constants, which javac copies into the class that uses them (so that class's
 * own bytes change with them).
 */
final class ClassReferences {
    private ClassReferences() { }

    /**
     * Internal names ({@code a/b/C$D}) of the classes that {@code classFile} refers to and that
     * start with {@code prefix} ({@code a/b/}), sorted; array types are reduced to their element class.
     */
    static Set<String> of(byte[] classFile, String prefix) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file (bad magic)");
        }
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        int classes = 0;
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF(); // Utf8: u2 length + modified UTF-8, what readUTF reads
                case 7 -> classNameIndex[classes++] = in.readUnsignedShort(); // Class
                case 8, 16, 19, 20 -> in.skipBytes(2); // String, MethodType (its descriptor is a Utf8), Module, Package
                case 15 -> in.skipBytes(3); // MethodHandle: kind + reference (a Methodref, hence a Class)
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4); // Integer, Float, refs, NameAndType, (Invoke)Dynamic
                case 5, 6 -> { // Long, Double take two slots
                    in.skipBytes(8);
                    i++;
                }
                default -> throw new IOException("unknown constant pool tag " + tag + " at entry " + i);
            }
        }
        Set<String> out = new TreeSet<>();
        for (int c = 0; c < classes; c++) {
            String name = utf8[classNameIndex[c]];
            if (name == null) {
                throw new IOException("a CONSTANT_Class does not point at a Utf8 entry");
            }
            if (name.startsWith("[")) {
                descriptorNames(name, prefix, out); // array classes are named by descriptor
            } else if (name.startsWith(prefix)) {
                out.add(name);
            }
        }
        // Every descriptor and signature is a Utf8 entry: scanning all of them covers field and
        // method types, NameAndType, MethodType, Signature and annotation attributes alike.
        for (String s : utf8) {
            if (s != null) {
                descriptorNames(s, prefix, out);
            }
        }
        return out;
    }

    /**
     * Adds the names in {@code L<name>;} / {@code L<name><...>} occurrences that start with the prefix.
     * In a signature an inner class of a generic class is written {@code LOuter<TT;>.Inner;}: the
     * {@code .Inner} part is not read here, but its erased form {@code Outer$Inner} is in the descriptors.
     */
    private static void descriptorNames(String s, String prefix, Set<String> out) {
        String marker = "L" + prefix;
        int from = 0;
        while (true) {
            int at = s.indexOf(marker, from);
            if (at < 0) {
                return;
            }
            int start = at + 1;
            int end = start;
            while (end < s.length() && s.charAt(end) != ';' && s.charAt(end) != '<') {
                end++;
            }
            if (end < s.length()) {
                out.add(s.substring(start, end));
            }
            from = end;
        }
    }
}
