/* SPDX-License-Identifier: MIT */
/*
 * replay: a main() for a fuzz target built without libFuzzer. It feeds the
 * target every file of tests/fuzz/corpus/<name>/ (name = the binary's name
 * without "fuzz_") and of the shared seed paths the target names, one input
 * per file (and one per line for .txt files). A crash kills the process, so
 * the runner sees no summary line and counts a failure.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static long replay_file(const char *path, int by_line)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            unsigned char *p = realloc(buf, cap * 2);
            if (p == NULL)
                break;
            buf = p;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf == NULL)
        return 0;
    long count = 1;
    LLVMFuzzerTestOneInput(buf, len);
    if (by_line) {
        size_t start = 0;
        for (size_t i = 0; i <= len; i++) {
            if (i == len || buf[i] == '\n') {
                unsigned char *line = malloc(i - start + 1);
                if (line) {
                    memcpy(line, buf + start, i - start);
                    LLVMFuzzerTestOneInput(line, i - start);
                    free(line);
                    count++;
                }
                start = i + 1;
            }
        }
    }
    free(buf);
    return count;
}

static long replay_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode)) {
        size_t n = strlen(path);
        return replay_file(path, n > 4 && strcmp(path + n - 4, ".txt") == 0);
    }
    DIR *d = opendir(path);
    if (d == NULL)
        return 0;
    long count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        count += replay_path(sub);
    }
    closedir(d);
    return count;
}

int main(int argc, char **argv)
{
    (void)argc;
    const char *name = strrchr(argv[0], '/');
    name = name ? name + 1 : argv[0];
    if (strncmp(name, "fuzz_", 5) == 0)
        name += 5;
    char path[4096];
    snprintf(path, sizeof path, "tests/fuzz/corpus/%s", name);
    long local = replay_path(path);
    const char *shared = getenv("RP_SHARED_DATA");
    if (shared == NULL)
        shared = "../shared/data";
    long remote = 0;
    struct stat st;
    if (stat(shared, &st) == 0) {
        for (const char *const *s = fuzz_shared_seeds; *s; s++) {
            snprintf(path, sizeof path, "%s/%s", shared, *s);
            remote += replay_path(path);
        }
    } else {
        printf("skip shared seeds: %s not found\n", shared);
    }
    printf("replayed %ld committed and %ld shared inputs through %s\n", local,
           remote, name);
    printf("1 passed, 0 failed\n");
    return 0;
}
