package bitnut.ui;

import bitnut.infer.kernel.DenseMatrix;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.scene.control.ComboBox;
import javafx.scene.control.TextField;
import javafx.scene.control.TextFormatter;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.util.StringConverter;
import javafx.util.converter.DoubleStringConverter;
import javafx.util.converter.IntegerStringConverter;

/** Fields bound both ways to a view-model property, shared by the run forms (Pretrain, Finetune) and the Sample and Chat tabs. */
public final class FormFields {
    private FormFields() { }

    /** A growing text field with an id (for tests), bound to {@code p}. */
    public static TextField text(String id, StringProperty p) {
        TextField t = new TextField();
        t.setId(id);
        t.textProperty().bindBidirectional(p);
        HBox.setHgrow(t, Priority.ALWAYS);
        return t;
    }

    /** An integer field: only parsable input reaches {@code p}; changes of {@code p} show up. */
    public static TextField integer(IntegerProperty p) {
        TextField t = new TextField();
        TextFormatter<Integer> f = new TextFormatter<>(new IntegerStringConverter(), p.get());
        t.setTextFormatter(f);
        f.valueProperty().addListener((o, a, v) -> { if (v != null) p.set(v); });
        p.addListener((o, a, v) -> f.setValue(v.intValue()));
        return t;
    }

    /** A decimal field, as {@link #integer} for doubles. */
    public static TextField decimal(DoubleProperty p) {
        TextField t = new TextField();
        TextFormatter<Double> f = new TextFormatter<>(new DoubleStringConverter(), p.get());
        t.setTextFormatter(f);
        f.valueProperty().addListener((o, a, v) -> { if (v != null) p.set(v); });
        p.addListener((o, a, v) -> f.setValue(v.doubleValue()));
        return t;
    }

    /**
     * The embeddings / lm_head precision picker of the Sample and Chat tabs: f32 exact; bf16 and int8
     * read 2x and 4x fewer head bytes per decoded token (faster; docs/benchmarks.md measures speed and quality).
     */
    public static ComboBox<DenseMatrix.Precision> headPrecision(String id, ObjectProperty<DenseMatrix.Precision> p) {
        ComboBox<DenseMatrix.Precision> box = new ComboBox<>(FXCollections.observableArrayList(DenseMatrix.Precision.values()));
        box.setId(id);
        box.valueProperty().bindBidirectional(p);
        box.setConverter(new StringConverter<>() {
            @Override public String toString(DenseMatrix.Precision v) { return v == null ? "" : v.label(); }
            @Override public DenseMatrix.Precision fromString(String s) { return DenseMatrix.Precision.parse(s); }
        });
        box.setTooltip(new Tooltip("Embeddings and lm_head precision: f32 exact; bf16 and int8 read 2x and 4x fewer bytes per token (faster)"));
        return box;
    }
}
