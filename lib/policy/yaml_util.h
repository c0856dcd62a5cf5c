/*
 * Small helpers over libfyaml shared by the vocabulary and policy loaders: loading a file
 * with its syntax errors turned into file:line:col messages, reading scalars, and naming the
 * place of a node.
 * Policy layer (private).
 */
#ifndef HOGO_YAML_UTIL_H
#define HOGO_YAML_UTIL_H

#include <hogo/error.h>
#include <libfyaml.h>

#include <stdbool.h>
#include <stddef.h>

/* Parses a YAML file into *doc (free with fy_document_destroy); syntax errors become
 * HOGO_EPOLICY with err->where = "file:line:col". */
int hogo__yaml_load(const char *path, struct fy_document **doc, struct hogo_error *err);

/* Returns an allocated copy of a scalar node's text, or NULL (not a scalar / no memory). */
char *hogo__yaml_strdup(struct fy_node *n);

/* True when n is a scalar reading true/yes/on. */
bool hogo__yaml_bool(struct fy_node *n);

/* 1-based line and column of a node (its first scalar), or 0 when unknown. */
void hogo__yaml_pos(struct fy_node *n, int *line, int *col);

/* Writes "path:line:col" for node n into buf. */
void hogo__yaml_where(const char *path, struct fy_node *n, char *buf, size_t size);

/* True when a scalar node's text equals s. */
bool hogo__yaml_is(struct fy_node *n, const char *s);

#endif
