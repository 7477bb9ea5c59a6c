package bitnut.ui;

import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;

/** The JavaFX application (the foundation issue replaces this placeholder with the full shell). */
public final class WorkbenchApp extends Application {
    public static void launchApp(String[] args) { Application.launch(WorkbenchApp.class, args); }

    @Override public void start(Stage stage) {
        stage.setTitle("BitNut Workbench");
        stage.setScene(new Scene(new Label("BitNut Workbench"), 800, 600));
        stage.show();
    }
}
