package bitnut.ui;

import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Group;
import javafx.scene.Node;
import javafx.scene.SnapshotParameters;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import javafx.scene.paint.CycleMethod;
import javafx.scene.paint.RadialGradient;
import javafx.scene.paint.Stop;
import javafx.scene.shape.Circle;
import javafx.scene.shape.Ellipse;
import javafx.scene.shape.QuadCurve;
import javafx.scene.shape.StrokeLineCap;
import javafx.scene.shape.Line;

import javax.imageio.ImageIO;
import java.io.File;
import java.util.concurrent.CompletableFuture;

/**
 * Draws BitNut's face (a golden retriever on a blue badge) from JavaFX shapes and writes it as the
 * 256x256 window icon {@code src/main/resources/bitnut/ui/bitnut.png}. Our own drawing: no image is
 * copied from anywhere. Re-run after changing the shapes (Monocle headless, test classpath):
 * <pre>
 * ./mvnw -q dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Dglass.platform=Monocle -Dmonocle.platform=Headless -Dprism.order=sw \
 *   -cp target/test-classes:target/classes:$(cat /tmp/cp.txt) bitnut.ui.IconGenerator src/main/resources/bitnut/ui/bitnut.png
 * </pre>
 */
public final class IconGenerator {
    static final Color FUR = Color.web("#E3A84E");
    static final Color EAR = Color.web("#B06F28");
    static final Color MUZZLE = Color.web("#F7DEAA");
    static final Color INK = Color.web("#2A1C12");

    public static void main(String[] args) throws Exception {
        File out = new File(args.length > 0 ? args[0] : "src/main/resources/bitnut/ui/bitnut.png");
        CompletableFuture<WritableImage> shot = new CompletableFuture<>();
        Platform.startup(() -> {
            SnapshotParameters p = new SnapshotParameters();
            p.setFill(Color.TRANSPARENT);
            p.setViewport(new javafx.geometry.Rectangle2D(0, 0, 256, 256));
            shot.complete(face().snapshot(p, null));
        });
        WritableImage img = shot.get();
        ImageIO.write(SwingFXUtils.fromFXImage(img, null), "png", out);
        System.out.println("wrote " + out + " (" + (int) img.getWidth() + "x" + (int) img.getHeight() + ")");
        Platform.exit();
    }

    /** The face on a 256x256 canvas. */
    static Node face() {
        Circle badge = new Circle(128, 128, 127, new RadialGradient(0, 0, 0.5, 0.35, 0.75, true, CycleMethod.NO_CYCLE,
                new Stop(0, Color.web("#5B8FD6")), new Stop(1, Color.web("#2E5C9E"))));
        Ellipse leftEar = new Ellipse(62, 122, 34, 66);
        leftEar.setRotate(22);
        leftEar.setFill(EAR);
        Ellipse rightEar = new Ellipse(194, 122, 34, 66);
        rightEar.setRotate(-22);
        rightEar.setFill(EAR);
        Ellipse head = new Ellipse(128, 124, 78, 84);
        head.setFill(new RadialGradient(0, 0, 0.5, 0.35, 0.7, true, CycleMethod.NO_CYCLE,
                new Stop(0, Color.web("#F2C26E")), new Stop(1, FUR)));
        Ellipse muzzle = new Ellipse(128, 172, 48, 36);
        muzzle.setFill(MUZZLE);
        Ellipse tongue = new Ellipse(128, 196, 13, 17);
        tongue.setFill(Color.web("#EE7389"));
        Line tongueLine = new Line(128, 188, 128, 204);
        tongueLine.setStroke(Color.web("#C94E66"));
        tongueLine.setStrokeWidth(2);
        Ellipse nose = new Ellipse(128, 152, 19, 13);
        nose.setFill(INK);
        Ellipse noseShine = new Ellipse(122, 147, 6, 3);
        noseShine.setFill(Color.web("#FFFFFF", 0.55));
        Line philtrum = line(128, 164, 128, 176);
        QuadCurve leftLip = curve(128, 176, 114, 190, 100, 178);
        QuadCurve rightLip = curve(128, 176, 142, 190, 156, 178);
        Circle leftEye = new Circle(98, 114, 11, INK);
        Circle rightEye = new Circle(158, 114, 11, INK);
        Circle leftShine = new Circle(102, 110, 3.5, Color.WHITE);
        Circle rightShine = new Circle(162, 110, 3.5, Color.WHITE);
        QuadCurve leftBrow = curve(84, 96, 96, 88, 108, 94);
        QuadCurve rightBrow = curve(148, 94, 160, 88, 172, 96);
        leftBrow.setStroke(EAR);
        rightBrow.setStroke(EAR);
        return new Group(badge, leftEar, rightEar, head, muzzle, tongue, tongueLine, nose, noseShine,
                philtrum, leftLip, rightLip, leftEye, rightEye, leftShine, rightShine, leftBrow, rightBrow);
    }

    private static Line line(double x1, double y1, double x2, double y2) {
        Line l = new Line(x1, y1, x2, y2);
        l.setStroke(INK);
        l.setStrokeWidth(3.5);
        l.setStrokeLineCap(StrokeLineCap.ROUND);
        return l;
    }

    private static QuadCurve curve(double x1, double y1, double cx, double cy, double x2, double y2) {
        QuadCurve q = new QuadCurve(x1, y1, cx, cy, x2, y2);
        q.setFill(null);
        q.setStroke(INK);
        q.setStrokeWidth(3.5);
        q.setStrokeLineCap(StrokeLineCap.ROUND);
        return q;
    }
}
