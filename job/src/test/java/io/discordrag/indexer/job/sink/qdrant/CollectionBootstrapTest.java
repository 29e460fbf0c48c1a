package io.discordrag.indexer.job.sink.qdrant;

import io.discordrag.indexer.job.config.NotReadyException;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;
import io.discordrag.indexer.testing.qdrant.QdrantTarget;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Collection bootstrap against "a Qdrant" (the stand-in here; a real one with QDRANT_URL). */
class CollectionBootstrapTest {

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    private final List<String> toDrop = new ArrayList<>();
    private final List<String> aliasesToDrop = new ArrayList<>();

    @AfterEach
    void drop() throws Exception {
        QdrantClient client = QDRANT.client();
        for (String alias : aliasesToDrop) {
            try {
                client.deleteAliasAsync(alias).get();
            } catch (ExecutionException ignored) {
                // gone with its collection
            }
        }
        for (String name : toDrop) {
            try {
                client.deleteCollectionAsync(name).get();
            } catch (ExecutionException ignored) {
                // never created
            }
        }
    }

    private QdrantCollectionOptions options() {
        String name = QdrantTarget.uniqueCollectionName("boot");
        toDrop.add(name);
        return QdrantCollectionOptions.builder().collection(name).build();
    }

    @Test
    void createsTheCollectionWithTheTenantLayoutAndEveryIndex() throws Exception {
        QdrantCollectionOptions options = options();
        CollectionBootstrap.Result result =
                CollectionBootstrap.ensure(QDRANT.client(), options, 384);
        assertThat(result.collectionCreated()).isTrue();
        assertThat(result.indexesCreated())
                .containsExactlyInAnyOrder(
                        "guild_id",
                        "channel_id",
                        "message_ids",
                        "author_ids",
                        "conversation_id",
                        "start_time");

        CollectionInfo info = QDRANT.client().getCollectionInfoAsync(options.collection()).get();
        VectorParams params = info.getConfig().getParams().getVectorsConfig().getParams();
        assertThat(params.getSize()).isEqualTo(384);
        assertThat(params.getDistance()).isEqualTo(Distance.Cosine);
        assertThat(info.getConfig().getHnswConfig().getM()).isZero();
        assertThat(info.getConfig().getHnswConfig().getPayloadM()).isEqualTo(16);
        assertThat(info.getPayloadSchemaMap().get("guild_id").getDataType())
                .isEqualTo(PayloadSchemaType.Integer);
        assertThat(info.getPayloadSchemaMap().get("start_time").getDataType())
                .isEqualTo(PayloadSchemaType.Datetime);
    }

    @Test
    void runningTwiceCreatesNothingTwice() {
        QdrantCollectionOptions options = options();
        CollectionBootstrap.ensure(QDRANT.client(), options, 384);
        CollectionBootstrap.Result second =
                CollectionBootstrap.ensure(QDRANT.client(), options, 384);
        assertThat(second.collectionCreated()).isFalse();
        assertThat(second.indexesCreated()).isEmpty();
        assertThat(second.aliasCreated()).isFalse();
    }

    @Test
    void addsIndexesMissingFromAnExistingCollection() throws Exception {
        QdrantCollectionOptions options = options();
        QDRANT.client()
                .createCollectionAsync(
                        options.collection(),
                        VectorParams.newBuilder().setSize(384).setDistance(Distance.Cosine).build())
                .get();
        CollectionBootstrap.Result result =
                CollectionBootstrap.ensure(QDRANT.client(), options, 384);
        assertThat(result.collectionCreated()).isFalse();
        assertThat(result.indexesCreated()).hasSize(6);
    }

    @Test
    void anExistingCollectionOfAnotherDimensionFailsClearly() throws Exception {
        QdrantCollectionOptions options = options();
        QDRANT.client()
                .createCollectionAsync(
                        options.collection(),
                        VectorParams.newBuilder().setSize(768).setDistance(Distance.Cosine).build())
                .get();
        assertThatThrownBy(() -> CollectionBootstrap.ensure(QDRANT.client(), options, 384))
                .isInstanceOf(NotReadyException.class)
                .hasMessageContaining(options.collection())
                .hasMessageContaining("size 768")
                .hasMessageContaining("384-dimensional cosine");
    }

    @Test
    void anExistingCollectionWithAnotherDistanceFailsClearly() throws Exception {
        QdrantCollectionOptions options = options();
        QDRANT.client()
                .createCollectionAsync(
                        options.collection(),
                        VectorParams.newBuilder().setSize(384).setDistance(Distance.Dot).build())
                .get();
        assertThatThrownBy(() -> CollectionBootstrap.ensure(QDRANT.client(), options, 384))
                .isInstanceOf(NotReadyException.class)
                .hasMessageContaining("distance Dot");
    }

    @Test
    void createsTheAliasOnceAndRefusesOneThatPointsElsewhere() throws Exception {
        String name = QdrantTarget.uniqueCollectionName("boot");
        String alias = QdrantTarget.uniqueCollectionName("alias");
        toDrop.add(name);
        aliasesToDrop.add(alias);
        QdrantCollectionOptions options =
                QdrantCollectionOptions.builder().collection(name).alias(alias).build();
        assertThat(CollectionBootstrap.ensure(QDRANT.client(), options, 384).aliasCreated())
                .isTrue();
        assertThat(CollectionBootstrap.ensure(QDRANT.client(), options, 384).aliasCreated())
                .isFalse();
        assertThat(QDRANT.client().listCollectionAliasesAsync(name).get()).containsExactly(alias);
        assertThat(options.readName()).isEqualTo(alias);

        QdrantCollectionOptions other = options();
        QdrantCollectionOptions elsewhere =
                QdrantCollectionOptions.builder()
                        .collection(other.collection())
                        .alias(alias)
                        .build();
        assertThatThrownBy(() -> CollectionBootstrap.ensure(QDRANT.client(), elsewhere, 384))
                .isInstanceOf(NotReadyException.class)
                .hasMessageContaining("points to collection '" + name + "'");
    }

    @Test
    void aliasSwitchCreatesMovesAndReportsWhereTheAliasPointedBefore() throws Exception {
        QdrantCollectionOptions a = options();
        QdrantCollectionOptions b = options();
        CollectionBootstrap.ensure(QDRANT.client(), a, 384);
        CollectionBootstrap.ensure(QDRANT.client(), b, 384);
        String alias = QdrantTarget.uniqueCollectionName("alias");
        aliasesToDrop.add(alias);

        assertThat(AliasSwitch.current(QDRANT.client(), alias)).isEmpty();
        assertThat(AliasSwitch.move(QDRANT.client(), alias, a.collection())).isEmpty();
        assertThat(AliasSwitch.current(QDRANT.client(), alias)).contains(a.collection());
        assertThat(AliasSwitch.move(QDRANT.client(), alias, b.collection()))
                .contains(a.collection());
        assertThat(QDRANT.client().listCollectionAliasesAsync(b.collection()).get())
                .containsExactly(alias);
        assertThat(QDRANT.client().listCollectionAliasesAsync(a.collection()).get()).isEmpty();
        assertThat(AliasSwitch.move(QDRANT.client(), alias, b.collection()))
                .contains(b.collection());

        // A failed move changes nothing: the delete and the create are one request.
        String missing = QdrantTarget.uniqueCollectionName("missing");
        assertThatThrownBy(() -> AliasSwitch.move(QDRANT.client(), alias, missing))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(
                        "Cannot move Qdrant alias '"
                                + alias
                                + "' from collection '"
                                + b.collection()
                                + "' to collection '"
                                + missing
                                + "'");
        assertThat(AliasSwitch.current(QDRANT.client(), alias)).contains(b.collection());
    }
}
