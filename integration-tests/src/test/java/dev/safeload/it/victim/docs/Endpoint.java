package dev.safeload.it.victim.docs;

/** One entry of {@link ServiceConfig#getEndpoints()}. */
public class Endpoint {
    private String path;
    private int port;

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    @Override
    public String toString() {
        return path + ":" + port;
    }
}
