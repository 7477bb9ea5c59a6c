package bitnut.ui;

import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.StringProperty;
import javafx.scene.control.TextField;
import javafx.scene.control.TextFormatter;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.util.converter.DoubleStringConverter;
import javafx.util.converter.IntegerStringConverter;

/** Text fields bound both ways to a view-model property, shared by the run forms (Pretrain, Finetune). */
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
}
