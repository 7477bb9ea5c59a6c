package bitnut.model;

import bitnut.common.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class BitNetConfigTest {

    @Test
    void bitnut133mHasTheSpecParameterCount() throws Exception {
        BitNetConfig c = ModelPresets.load("bitnut-133m");
        assertEquals(132_963_072L, c.parameterCount());
        assertEquals(82_575_360L, c.ternaryParameterCount());
        assertEquals(64, c.headDim());
        assertEquals(3, c.kvGroups());
        assertTrue(c.ternary());
        long fromTensors = ModelTensors.all(c).stream().mapToLong(ModelTensors.Spec::elements).sum();
        assertEquals(c.parameterCount(), fromTensors);
    }

    @Test
    void twoBillionCheckFromTheSpec() {
        // microsoft/bitnet-b1.58-2B-4T: 2,412,820,480 parameters (spec §7.2)
        BitNetConfig c = new BitNetConfig(128256, 2560, 6912, 30, 20, 5, "relu2", 4096, 0.02, 1e-5, 500000,
                true, 128000, 128001, null, BitNetConfig.Precision.TERNARY);
        assertEquals(2_412_820_480L, c.parameterCount());
    }

    @Test
    void tinyPresetIsSmallAndTied() throws Exception {
        BitNetConfig c = ModelPresets.load("bitnut-tiny");
        assertTrue(c.tieWordEmbeddings());
        assertTrue(c.parameterCount() < 5_000_000, c.summary());
        assertEquals(c.parameterCount(), ModelTensors.all(c).stream().mapToLong(ModelTensors.Spec::elements).sum());
    }

    @Test
    void configJsonRoundTripsAndCarriesHfKeys(@TempDir Path dir) throws Exception {
        BitNetConfig c = ModelPresets.load("bitnut-133m").withTokenIds(2, 3, 0);
        Path f = dir.resolve("config.json");
        c.write(f);
        assertEquals(c, BitNetConfig.read(f));
        var n = Json.MAPPER.readTree(f.toFile());
        assertEquals("bitnet", n.get("model_type").asText());
        assertEquals(2, n.get("bos_token_id").asInt());
        assertEquals(3, n.get("eos_token_id").asInt());
        assertEquals(0, n.get("pad_token_id").asInt());
        assertEquals("bitnet", n.at("/quantization_config/quant_method").asText());
        assertEquals("autobitlinear", n.at("/quantization_config/linear_class").asText());
        assertEquals("online", n.at("/quantization_config/quantization_mode").asText());

        BitNetConfig full = c.withPrecision(BitNetConfig.Precision.FULL);
        full.write(f);
        assertFalse(Json.MAPPER.readTree(f.toFile()).has("quantization_config"));
        assertEquals(full, BitNetConfig.read(f));
    }

    @Test
    void acceptsRopeParametersAndNullKvHeads() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("model_type", "bitnet").put("vocab_size", 100).put("hidden_size", 64).put("intermediate_size", 96)
                .put("num_hidden_layers", 2).put("num_attention_heads", 4).putNull("num_key_value_heads");
        n.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", 1234.0);
        BitNetConfig c = BitNetConfig.fromJson(n, "test");
        assertEquals(1234.0, c.ropeTheta());
        assertEquals(4, c.numKeyValueHeads());
        assertEquals(BitNetConfig.Precision.FULL, c.precision());
    }

    @Test
    void refusesBadShapesAndPackedCheckpoints() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("model_type", "bitnet").put("hidden_size", 64).put("num_attention_heads", 5);
        var e = assertThrows(IllegalArgumentException.class, () -> BitNetConfig.fromJson(n, "cfg.json"));
        assertTrue(e.getMessage().contains("cfg.json") && e.getMessage().contains("divisible"), e.getMessage());

        ObjectNode p = Json.MAPPER.createObjectNode();
        p.put("model_type", "bitnet").put("hidden_size", 64).put("num_attention_heads", 4).put("num_key_value_heads", 2);
        p.putObject("quantization_config").put("quant_method", "bitnet").put("linear_class", "autobitlinear")
                .put("quantization_mode", "offline");
        assertThrows(IllegalArgumentException.class, () -> BitNetConfig.fromJson(p, "packed"));
        assertThrows(IllegalArgumentException.class, () -> BitNetConfig.fromJson(Json.MAPPER.createObjectNode().put("model_type", "llama"), "x"));
    }

    @Test
    void overridesUseHfKeys() throws Exception {
        BitNetConfig c = ModelPresets.load("bitnut-tiny")
                .withOverride("hidden_size", "128").withOverride("tie_word_embeddings", "false")
                .withOverride("precision", "full").withOverride("rope_theta", "5e5");
        assertEquals(128, c.hiddenSize());
        assertFalse(c.tieWordEmbeddings());
        assertEquals(BitNetConfig.Precision.FULL, c.precision());
        assertEquals(500000.0, c.ropeTheta());
        assertThrows(IllegalArgumentException.class, () -> c.withOverride("hiden_size", "3"));
        assertThrows(IllegalArgumentException.class, () -> c.withOverride("hidden_size", "abc"));
    }
}
