package io.moe4j.cli;

public final class Main {
    public static void main(String[] args) {
        System.out.println("moe4j");
    }
}
