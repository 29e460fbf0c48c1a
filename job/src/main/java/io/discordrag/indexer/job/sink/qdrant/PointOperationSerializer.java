package io.discordrag.indexer.job.sink.qdrant;

import java.io.IOException;
import java.time.Instant;
import java.util.UUID;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer for {@link PointOperation} (records are immutable, so copies are the same object).
 * Format version 1: a tag byte (1 upsert, 2 delete), the point id, then for an upsert the vector and
 * the session payload field by field.
 */
public final class PointOperationSerializer extends TypeSerializerSingleton<PointOperation> {

    private static final long serialVersionUID = 1L;
    public static final PointOperationSerializer INSTANCE = new PointOperationSerializer();

    private static final byte UPSERT = 1;
    private static final byte DELETE = 2;

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public PointOperation createInstance() {
        return null;
    }

    @Override
    public PointOperation copy(PointOperation from) {
        return from;
    }

    @Override
    public PointOperation copy(PointOperation from, PointOperation reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(PointOperation op, DataOutputView out) throws IOException {
        out.writeByte(op instanceof PointOperation.Upsert ? UPSERT : DELETE);
        out.writeLong(op.pointId().getMostSignificantBits());
        out.writeLong(op.pointId().getLeastSignificantBits());
        if (op instanceof PointOperation.Upsert u) {
            out.writeInt(u.vector().length);
            for (float f : u.vector()) {
                out.writeFloat(f);
            }
            SessionPayload p = u.payload();
            out.writeLong(p.guildId());
            out.writeLong(p.channelId());
            writeLongs(p.messageIds(), out);
            writeLongs(p.authorIds(), out);
            writeInstant(p.startTime(), out);
            writeInstant(p.endTime(), out);
            out.writeUTF(p.content());
            out.writeUTF(p.model());
            out.writeInt(p.chunk());
        }
    }

    @Override
    public PointOperation deserialize(DataInputView in) throws IOException {
        byte tag = in.readByte();
        UUID id = new UUID(in.readLong(), in.readLong());
        if (tag == DELETE) {
            return PointOperation.delete(id);
        }
        if (tag != UPSERT) {
            throw new IOException("Unknown PointOperation tag " + tag);
        }
        float[] vector = new float[in.readInt()];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = in.readFloat();
        }
        SessionPayload payload = new SessionPayload(in.readLong(), in.readLong(), readLongs(in), readLongs(in),
                readInstant(in), readInstant(in), in.readUTF(), in.readUTF(), in.readInt());
        return PointOperation.upsert(id, vector, payload);
    }

    @Override
    public PointOperation deserialize(PointOperation reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    private static void writeLongs(long[] values, DataOutputView out) throws IOException {
        out.writeInt(values.length);
        for (long v : values) {
            out.writeLong(v);
        }
    }

    private static long[] readLongs(DataInputView in) throws IOException {
        long[] values = new long[in.readInt()];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.readLong();
        }
        return values;
    }

    private static void writeInstant(Instant t, DataOutputView out) throws IOException {
        out.writeLong(t.getEpochSecond());
        out.writeInt(t.getNano());
    }

    private static Instant readInstant(DataInputView in) throws IOException {
        return Instant.ofEpochSecond(in.readLong(), in.readInt());
    }

    @Override
    public TypeSerializerSnapshot<PointOperation> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot for savepoint compatibility. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<PointOperation> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
