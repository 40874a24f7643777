// mapperd-attach-descriptor KIND [PATH]: calls Manager.AttachLoop with a descriptor of KIND, as
// a client that passes whatever it holds would: "socket" (one end of a socketpair), "directory"
// (PATH opened O_DIRECTORY), "fifo" (PATH opened read-write), "path" (PATH opened read-write,
// e.g. a character device). Prints the loop's object path, or the error as
// "ERROR-NAME: message"; exits 0 either way, 2 when it could not make the descriptor.
#include <fcntl.h>
#include <sdbus-c++/sdbus-c++.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: mapperd-attach-descriptor socket|directory|fifo|path [PATH]\n");
    return 2;
  }
  const std::string kind = argv[1];
  const char* path = argc > 2 ? argv[2] : "";
  int fd = -1;
  if (kind == "socket") {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0)
      fd = pair[0];
  } else if (kind == "directory") {
    fd = ::open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } else if (kind == "fifo" || kind == "path") {
    fd = ::open(path, O_RDWR | O_CLOEXEC);
  }
  if (fd < 0) {
    std::fprintf(stderr, "mapperd-attach-descriptor: cannot make a %s descriptor: %s\n",
                 kind.c_str(), std::strerror(errno));
    return 2;
  }
  try {
    auto connection = sdbus::createSystemBusConnection();
    auto manager = sdbus::createProxy(*connection, "org.mapperd.Mapper1", "/org/mapperd/Mapper1");
    sdbus::ObjectPath loop;
    manager->callMethod("AttachLoop")
        .onInterface("org.mapperd.Mapper1.Manager")
        .withArguments(sdbus::UnixFd(fd), std::map<std::string, sdbus::Variant>{})
        .storeResultsTo(loop);
    std::printf("%s\n", loop.c_str());
  } catch (const sdbus::Error& e) {
    std::printf("%s: %s\n", e.getName().c_str(), e.getMessage().c_str());
  }
  return 0;
}
