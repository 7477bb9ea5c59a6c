/*
 * SafeTensors — pure-Java reader and writer of HuggingFace's safetensors format
 * (https://github.com/huggingface/safetensors, "Format" section), the weight file of every checkpoint
 * (model.safetensors). No DJL: the inference engine reads weights with it too.
 *
 * Layout: [u64 little-endian N][N bytes UTF-8 JSON header][data]. The header maps tensor name ->
 * {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]} (offsets relative to the data start),
 * plus an optional "__metadata__" map of strings. Tensors are row-major, little-endian.
 *
 * The reader treats the file as untrusted: it checks the header length against the file size and a
 * 100 MB cap (as the Rust crate does), every dtype, shape and offset, that shape × dtype size equals
 * the byte range, and that ranges neither overlap nor leave the file. Errors name the file and tensor.
 */
package bitnut.model;

import bitnut.common.AtomicFiles;
import bitnut.common.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class SafeTensors {
    /** Largest header we accept (the reference implementation's limit). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private SafeTensors() { }

    /** Element types we read and write (the ones BitNet checkpoints use). */
    public enum DType {
        F32(4), BF16(2), F16(2), U8(1), I8(1);

        public final int bytes;

        DType(int bytes) { this.bytes = bytes; }

        static DType parse(String s, String where) throws IOException {
            for (DType d : values()) if (d.name().equals(s)) return d;
            throw new IOException(where + ": unsupported dtype '" + s + "' (supported: F32, BF16, F16, U8, I8)");
        }
    }

    /** One tensor's entry in the header; offsets are relative to the start of the data section. */
    public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
        public long elements() {
            long n = 1;
            for (long d : shape) n = Math.multiplyExact(n, d);
            return n;
        }

        public long byteLength() { return end - begin; }

        public int[] intShape() {
            int[] s = new int[shape.length];
            for (int i = 0; i < s.length; i++) s[i] = Math.toIntExact(shape[i]);
            return s;
        }
    }

    // =========================================================================================
    // Reading
    // =========================================================================================

    /** Opens a file and validates its header; tensor bytes are read on demand. */
    public static Reader open(Path file) throws IOException { return new Reader(file); }

    public static final class Reader implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final long dataStart;
        private final Map<String, TensorInfo> tensors;
        private final Map<String, String> metadata;

        private Reader(Path file) throws IOException {
            this.file = file;
            this.channel = FileChannel.open(file, StandardOpenOption.READ);
            try {
                long size = channel.size();
                if (size < 8) throw new IOException(file + ": too short for a safetensors file (" + size + " bytes)");
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                readFully(len, 0);
                long n = len.flip().getLong();
                if (n < 2 || n > MAX_HEADER_BYTES || n > size - 8) {
                    throw new IOException(file + ": header length " + Long.toUnsignedString(n) + " is impossible (file has "
                            + size + " bytes, limit " + MAX_HEADER_BYTES + "). HINT: the file is truncated or not safetensors");
                }
                ByteBuffer header = ByteBuffer.allocate((int) n);
                readFully(header, 8);
                this.dataStart = 8 + n;
                JsonNode root;
                try {
                    root = Json.MAPPER.readTree(new String(header.array(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new IOException(file + ": header is not valid JSON: " + e.getMessage(), e);
                }
                if (root == null || !root.isObject()) throw new IOException(file + ": header is not a JSON object");
                Map<String, String> meta = new LinkedHashMap<>();
                Map<String, TensorInfo> map = new LinkedHashMap<>();
                long dataLen = size - dataStart;
                for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getKey().equals("__metadata__")) {
                        if (!e.getValue().isObject()) throw new IOException(file + ": __metadata__ must be an object");
                        e.getValue().properties().forEach(m -> meta.put(m.getKey(), m.getValue().asText()));
                        continue;
                    }
                    map.put(e.getKey(), parseEntry(e.getKey(), e.getValue(), dataLen));
                }
                checkNoOverlap(map.values());
                this.tensors = Collections.unmodifiableMap(map);
                this.metadata = Collections.unmodifiableMap(meta);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }

        private TensorInfo parseEntry(String name, JsonNode v, long dataLen) throws IOException {
            String where = file + ": tensor '" + name + "'";
            if (!v.isObject()) throw new IOException(where + " entry is not an object");
            DType dtype = DType.parse(v.path("dtype").asText(""), where);
            JsonNode sh = v.get("shape"), off = v.get("data_offsets");
            if (sh == null || !sh.isArray()) throw new IOException(where + ": missing shape");
            if (off == null || !off.isArray() || off.size() != 2) throw new IOException(where + ": data_offsets must be [begin, end]");
            long[] shape = new long[sh.size()];
            long elements = 1;
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = sh.get(i);
                if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                    throw new IOException(where + ": bad dimension " + d);
                }
                shape[i] = d.asLong();
                try {
                    elements = Math.multiplyExact(elements, shape[i]);
                } catch (ArithmeticException ex) {
                    throw new IOException(where + ": shape " + sh + " overflows");
                }
            }
            JsonNode b = off.get(0), en = off.get(1);
            if (!b.isIntegralNumber() || !en.isIntegralNumber() || !b.canConvertToLong() || !en.canConvertToLong()) {
                throw new IOException(where + ": data_offsets must be integers");
            }
            long begin = b.asLong(), end = en.asLong();
            if (begin < 0 || end < begin || end > dataLen) {
                throw new IOException(where + ": data_offsets [" + begin + ", " + end + "] fall outside the data section ("
                        + dataLen + " bytes). HINT: the file is truncated or corrupt");
            }
            long expect;
            try {
                expect = Math.multiplyExact(elements, dtype.bytes);
            } catch (ArithmeticException ex) {
                throw new IOException(where + ": shape " + sh + " overflows");
            }
            if (expect != end - begin) {
                throw new IOException(where + ": shape " + sh + " x " + dtype + " needs " + expect + " bytes but data_offsets give "
                        + (end - begin));
            }
            return new TensorInfo(name, dtype, shape, begin, end);
        }

        private void checkNoOverlap(java.util.Collection<TensorInfo> all) throws IOException {
            List<TensorInfo> sorted = new ArrayList<>(all);
            sorted.sort(Comparator.comparingLong(TensorInfo::begin));
            for (int i = 1; i < sorted.size(); i++) {
                TensorInfo a = sorted.get(i - 1), c = sorted.get(i);
                if (c.begin() < a.end()) {
                    throw new IOException(file + ": tensors '" + a.name() + "' and '" + c.name() + "' overlap");
                }
            }
        }

        private void readFully(ByteBuffer buf, long pos) throws IOException {
            while (buf.hasRemaining()) {
                int r = channel.read(buf, pos);
                if (r < 0) throw new IOException(file + ": unexpected end of file");
                pos += r;
            }
        }

        public Path file() { return file; }

        /** Tensor entries in header order. */
        public Map<String, TensorInfo> tensors() { return tensors; }

        public Map<String, String> metadata() { return metadata; }

        public boolean has(String name) { return tensors.containsKey(name); }

        public TensorInfo info(String name) throws IOException {
            TensorInfo t = tensors.get(name);
            if (t == null) throw new IOException(file + ": no tensor named '" + name + "'");
            return t;
        }

        /** The raw little-endian bytes of one tensor (≤ 2 GB). */
        public ByteBuffer bytes(String name) throws IOException {
            TensorInfo t = info(name);
            if (t.byteLength() > Integer.MAX_VALUE - 16) throw new IOException(file + ": tensor '" + name + "' is over 2 GB");
            ByteBuffer buf = ByteBuffer.allocate((int) t.byteLength()).order(ByteOrder.LITTLE_ENDIAN);
            readFully(buf, dataStart + t.begin());
            return buf.flip();
        }

        /** A tensor as fp32 values (F32 as is, BF16/F16 widened exactly, U8/I8 as integers). */
        public float[] floats(String name) throws IOException {
            TensorInfo t = info(name);
            ByteBuffer b = bytes(name);
            int n = Math.toIntExact(t.elements());
            float[] out = new float[n];
            switch (t.dtype()) {
                case F32 -> b.asFloatBuffer().get(out);
                case BF16 -> { for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16); }
                case F16 -> { for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(b.getShort(2 * i)); }
                case U8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; }
                case I8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i); }
            }
            return out;
        }

        @Override public void close() throws IOException { channel.close(); }
    }

    // =========================================================================================
    // Writing
    // =========================================================================================

    /** Collects tensors, then writes one file atomically (temp + fsync + rename). */
    public static final class Writer {
        private record Entry(String name, DType dtype, long[] shape, Object data) { }

        private final Map<String, Entry> entries = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        public Writer metadata(String key, String value) { metadata.put(key, value); return this; }

        /** Adds an F32 tensor; the array is written as is (kept by reference until write). */
        public Writer addF32(String name, float[] data, long... shape) {
            return add(new Entry(name, DType.F32, shape.clone(), data), data.length);
        }

        /** Adds a tensor stored as BF16 (round-to-nearest-even from fp32). */
        public Writer addBF16(String name, float[] data, long... shape) {
            return add(new Entry(name, DType.BF16, shape.clone(), data), data.length);
        }

        /** Adds a tensor stored as F16 (IEEE half, round-to-nearest-even). */
        public Writer addF16(String name, float[] data, long... shape) {
            return add(new Entry(name, DType.F16, shape.clone(), data), data.length);
        }

        /** Adds a U8 or I8 tensor from raw bytes. */
        public Writer addBytes(String name, DType dtype, byte[] data, long... shape) {
            if (dtype != DType.U8 && dtype != DType.I8) throw new IllegalArgumentException("addBytes takes U8 or I8");
            return add(new Entry(name, dtype, shape.clone(), data), data.length);
        }

        private Writer add(Entry e, long length) {
            if (e.name().equals("__metadata__") || e.name().isEmpty()) throw new IllegalArgumentException("bad tensor name");
            long n = 1;
            for (long d : e.shape()) {
                if (d < 0) throw new IllegalArgumentException(e.name() + ": negative dimension");
                n = Math.multiplyExact(n, d);
            }
            if (n != length) {
                throw new IllegalArgumentException(e.name() + ": shape " + Arrays.toString(e.shape()) + " has " + n
                        + " elements but data has " + length);
            }
            if (entries.putIfAbsent(e.name(), e) != null) throw new IllegalArgumentException("duplicate tensor " + e.name());
            return this;
        }

        public void write(Path target) throws IOException {
            ObjectNode header = Json.MAPPER.createObjectNode();
            if (!metadata.isEmpty()) {
                ObjectNode m = header.putObject("__metadata__");
                metadata.forEach(m::put);
            }
            long offset = 0;
            for (Entry e : entries.values()) {
                long len = byteLength(e);
                ObjectNode t = header.putObject(e.name());
                t.put("dtype", e.dtype().name());
                var sh = t.putArray("shape");
                for (long d : e.shape()) sh.add(d);
                t.putArray("data_offsets").add(offset).add(offset + len);
                offset += len;
            }
            byte[] json = Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(header);
            int padded = (json.length + 7) / 8 * 8;  // pad with spaces so the data section is 8-byte aligned
            byte[] head = Arrays.copyOf(json, padded);
            Arrays.fill(head, json.length, padded, (byte) ' ');
            AtomicFiles.write(target, out -> {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
                out.write(len.array());
                out.write(head);
                for (Entry e : entries.values()) writeData(out, e);
            });
        }

        private static long byteLength(Entry e) {
            long n = e.data() instanceof float[] f ? f.length : ((byte[]) e.data()).length;
            return n * e.dtype().bytes;
        }

        private static void writeData(OutputStream out, Entry e) throws IOException {
            if (e.data() instanceof byte[] b) {
                out.write(b);
                return;
            }
            float[] f = (float[]) e.data();
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : f) {
                if (buf.remaining() < 4) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                switch (e.dtype()) {
                    case F32 -> buf.putFloat(v);
                    case BF16 -> buf.putShort(toBF16(v));
                    case F16 -> buf.putShort(Float.floatToFloat16(v));
                    default -> throw new IllegalStateException();
                }
            }
            out.write(buf.array(), 0, buf.position());
        }
    }

    /** fp32 → bf16 with round-to-nearest-even (NaN stays NaN). */
    public static short toBF16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    public static float fromBF16(short b) { return Float.intBitsToFloat((b & 0xffff) << 16); }
}
