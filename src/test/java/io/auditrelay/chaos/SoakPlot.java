package io.auditrelay.chaos;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Draws the soak run's {@code samples.csv} (heap used, heap committed, RSS in MB over time) with its kills as vertical
 * lines into a PNG, with Java2D, for machines without matplotlib or gnuplot. Arguments: samples.csv kills.csv out.png.
 */
public final class SoakPlot {

    private static final int WIDTH = 1000;
    private static final int HEIGHT = 500;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    private SoakPlot() {
    }

    public static void main(String[] args) throws IOException {
        List<double[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0])).subList(1, Files.readAllLines(Path.of(args[0])).size())) {
            String[] cells = line.split(",");
            rows.add(new double[] {Double.parseDouble(cells[0]), Double.parseDouble(cells[1]), Double.parseDouble(cells[2]),
                Double.parseDouble(cells[3])});
        }
        List<Double> kills = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[1])).stream().skip(1).toList()) {
            kills.add(Double.parseDouble(line.trim()));
        }
        double maxX = Math.max(1, rows.stream().mapToDouble(r -> r[0]).max().orElse(1));
        double maxY = Math.max(1, rows.stream().mapToDouble(r -> Math.max(r[2], r[3])).max().orElse(1)) * 1.1;

        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.BLACK);
        g.drawString("Audit Relay soak: relay heap and RSS (MB) over time (minutes); gray lines: SIGKILL", LEFT, 20);
        g.drawLine(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
        g.drawLine(LEFT, TOP, LEFT, HEIGHT - BOTTOM);
        for (int i = 0; i <= 5; i++) {
            double y = maxY * i / 5;
            int py = py(y, maxY);
            g.drawString(String.format("%.0f", y), 10, py + 4);
            g.setColor(new Color(235, 235, 235));
            g.drawLine(LEFT + 1, py, WIDTH - RIGHT, py);
            g.setColor(Color.BLACK);
            double x = maxX * i / 5;
            g.drawString(String.format("%.1f", x / 60), px(x, maxX) - 10, HEIGHT - BOTTOM + 18);
        }
        g.setColor(Color.GRAY);
        for (double kill : kills) {
            g.drawLine(px(kill, maxX), TOP, px(kill, maxX), HEIGHT - BOTTOM);
        }
        String[] names = {"heap used", "heap committed", "RSS"};
        Color[] colors = {new Color(31, 119, 180), new Color(148, 190, 230), new Color(214, 39, 40)};
        g.setStroke(new BasicStroke(1.8f));
        for (int series = 0; series < 3; series++) {
            g.setColor(colors[series]);
            double[] previous = null;
            for (double[] row : rows) {
                if (row[series + 1] < 0) {
                    previous = null; // no sample (the relay was being restarted)
                    continue;
                }
                if (previous != null) {
                    g.drawLine(px(previous[0], maxX), py(previous[series + 1], maxY), px(row[0], maxX), py(row[series + 1], maxY));
                }
                previous = row;
            }
            g.fillRect(WIDTH - RIGHT - 160, TOP + 5 + series * 16, 12, 8);
            g.setColor(Color.BLACK);
            g.drawString(names[series], WIDTH - RIGHT - 142, TOP + 13 + series * 16);
        }
        g.dispose();
        ImageIO.write(image, "png", Path.of(args[2]).toFile());
    }

    private static int px(double x, double maxX) {
        return LEFT + (int) Math.round((WIDTH - LEFT - RIGHT) * x / maxX);
    }

    private static int py(double y, double maxY) {
        return HEIGHT - BOTTOM - (int) Math.round((HEIGHT - TOP - BOTTOM) * y / maxY);
    }
}
