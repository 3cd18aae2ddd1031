package io.rankrepro.tasks.task;

/**
 * What a task may need to know about the experiment it belongs to, e.g. to label a figure.
 *
 * @param id      experiment id, e.g. {@code boix2023/fig1}
 * @param title   human title of the figure or table
 * @param paper   the paper and item reproduced, e.g. "Boix-Adsera et al. 2023, Fig. 1"
 * @param data    what data this run uses, said honestly (e.g. "synthetic teacher, seeded")
 * @param profile smoke | cpu | paper
 * @param seed    the experiment seed
 */
public record SpecInfo(String id, String title, String paper, String data, String profile, long seed) { }
