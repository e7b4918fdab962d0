#ifndef PAMTOKEN_CPAM_SHIM_H
#define PAMTOKEN_CPAM_SHIM_H

#include <security/pam_appl.h>
#include <crypt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * PAM_FAIL_DELAY takes a function pointer passed through pam_set_item's `const void *`, which Swift
 * cannot express without an unsafeBitCast. The callback does nothing: it replaces the ~2 s sleep that
 * modules such as pam_unix request after a failure, so that a failed login does not hold one of our
 * few PAM threads. The daemon applies its own uniform failure delay asynchronously instead.
 */
static void cpam_ignore_fail_delay(int retval, unsigned usec_delay, void *appdata_ptr) {
    (void)retval;
    (void)usec_delay;
    (void)appdata_ptr;
}

static inline int cpam_install_fail_delay_hook(pam_handle_t *pamh) {
    return pam_set_item(pamh, PAM_FAIL_DELAY, (const void *)cpam_ignore_fail_delay);
}

/* Zeroes memory in a way the optimiser may not remove (the password copy handed to PAM's conversation). */
static inline void cpam_secure_zero(void *ptr, size_t len) {
    volatile unsigned char *p = (volatile unsigned char *)ptr;
    while (len--) { *p++ = 0; }
}

/*
 * Lowers the scheduling priority of the calling thread only (on Linux, nice values are per thread;
 * PRIO_PROCESS with a thread id addresses one thread). Used on PAM's worker threads, whose password
 * hashing must yield the CPU to the event loops that answer everything else. Unprivileged threads
 * may always lower their own priority. Returns 0 or -1 (errno set).
 */
static inline int cpam_lower_thread_priority(int nice_value) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice_value);
}

/*
 * A conversation that answers nothing, for the handle that only keeps a service's modules loaded
 * (PAMResidentModules): pam_start needs a conversation, and that handle never runs a module.
 */
static int cpam_refuse_conversation(int count, const struct pam_message **messages, struct pam_response **responses,
                                    void *appdata_ptr) {
    (void)count;
    (void)messages;
    (void)responses;
    (void)appdata_ptr;
    return PAM_CONV_ERR;
}

/*
 * pam_start with that conversation; with a confdir, pam_start_confdir (libpam >= 1.4), which tests use.
 * Plain pam_start otherwise, because pam_wrapper redirects pam_start but not pam_start_confdir.
 */
static inline int cpam_start_resident(const char *service, const char *confdir, pam_handle_t **pamh) {
    static const struct pam_conv conversation = { cpam_refuse_conversation, NULL };
    if (confdir == NULL) { return pam_start(service, NULL, &conversation, pamh); }
    return pam_start_confdir(service, NULL, &conversation, confdir, pamh);
}

#endif
