package dev.safeload.it.victim;

import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;

/** A harmless serializable proxy handler. */
public final class EchoHandler implements InvocationHandler, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
        return method.getName();
    }
}
