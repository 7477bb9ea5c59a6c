package bitnut.ui;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import javafx.application.Application;
import javafx.scene.Scene;

/**
 * Light/dark theme: AtlantaFX Primer as the user-agent stylesheet, plus our own CSS for what
 * AtlantaFX does not theme (ControlsFX, ChartFX, the Tasks view and status bar).
 */
public final class Theme {
    private static final String BASE = css("workbench.css");
    private static final String DARK = css("workbench-dark.css");

    private Theme() { }

    public static void apply(Scene scene, boolean dark) {
        Application.setUserAgentStylesheet(dark
                ? new PrimerDark().getUserAgentStylesheet()
                : new PrimerLight().getUserAgentStylesheet());
        if (dark) scene.getStylesheets().setAll(BASE, DARK); else scene.getStylesheets().setAll(BASE);
    }

    private static String css(String name) {
        var url = Theme.class.getResource(name);
        if (url == null) throw new IllegalStateException("missing resource bitnut/ui/" + name);
        return url.toExternalForm();
    }
}
