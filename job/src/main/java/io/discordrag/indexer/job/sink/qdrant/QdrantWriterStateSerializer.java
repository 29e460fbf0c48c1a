package io.discordrag.indexer.job.sink.qdrant;

import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Serializer of {@link QdrantWriterState}. Version 1: the number of operations, then each operation
 * as a tag byte (1 upsert, 2 delete), the point id, and for an upsert the vector and the session
 * payload field by field.
 */
final class QdrantWriterStateSerializer implements SimpleVersionedSerializer<QdrantWriterState> {

    static final QdrantWriterStateSerializer INSTANCE = new QdrantWriterStateSerializer();

    /**
     * 2 adds the conversation id; 1 (without it) is still read: a first chunk's conversation is its
     * first message, a later chunk's is unknown (0, no payload field).
     */
    private static final int VERSION = 2;

    private static final byte UPSERT = 1;
    private static final byte DELETE = 2;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(QdrantWriterState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeInt(state.operations().size());
        for (PointOperation op : state.operations()) {
            write(op, out);
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public QdrantWriterState deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION && version != 1) {
            throw new IOException(
                    "Unknown version " + version + " of the Qdrant sink's writer state");
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        int n = in.readInt();
        List<PointOperation> operations = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            operations.add(read(in, version));
        }
        return new QdrantWriterState(operations);
    }

    private static void write(PointOperation op, DataOutputView out) throws IOException {
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
            out.writeLong(p.conversationId());
        }
    }

    private static PointOperation read(DataInputView in, int version) throws IOException {
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
        SessionPayload payload =
                new SessionPayload(
                        in.readLong(),
                        in.readLong(),
                        readLongs(in),
                        readLongs(in),
                        readInstant(in),
                        readInstant(in),
                        in.readUTF(),
                        in.readUTF(),
                        in.readInt(),
                        version >= 2 ? in.readLong() : -1);
        if (payload.conversationId()
                == -1) { // v1: a first chunk's conversation is its first message
            payload = v1(payload);
        }
        return PointOperation.upsert(id, vector, payload);
    }

    private static SessionPayload v1(SessionPayload p) {
        return new SessionPayload(
                p.guildId(),
                p.channelId(),
                p.messageIds(),
                p.authorIds(),
                p.startTime(),
                p.endTime(),
                p.content(),
                p.model(),
                p.chunk(),
                p.chunk() == 0 && p.messageIds().length > 0 ? p.messageIds()[0] : 0);
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
}
