# The sandbox shims' client (test tooling, not the real tools): hands one stand-in call to the
# sandbox controller over its socket, so that the call starts no Node process (see
# stand-in-server.ts for the protocol).
#   perl stand-in-client.pl SOCKET TOOL NODE BUNDLE [ARGUMENTS...]
# When nothing listens on SOCKET, or the controller declines the call, it runs
# `NODE BUNDLE ARGUMENTS...`, the stand-in as its own process. No modules: Perl alone starts in
# a few milliseconds (AF_UNIX and SOCK_STREAM are 1 on Linux).
my ($sock, $tool, $node, $bundle, @args) = @ARGV;
my $s;

sub own_process {
  close $s if $s;
  exec { $node } $node, $bundle, @args;
  print STDERR "$tool (mikado sandbox stand-in): cannot run $node: $!\n";
  exit 70;
}

sub lost {
  print STDERR "$tool (mikado sandbox stand-in): the sandbox controller closed the call before it ended; see logs/controller.log in the sandbox\n";
  exit 70;
}

sub put {
  my ($fh, $buf) = @_;
  while (length $buf) {
    my $n = syswrite($fh, $buf);
    return 0 unless defined $n;
    substr($buf, 0, $n) = '';
  }
  return 1;
}

sub take {
  my ($n) = @_;
  my $buf = '';
  while (length($buf) < $n) {
    my $got = sysread($s, $buf, $n - length($buf), length($buf));
    lost() unless $got;
  }
  return $buf;
}

my $cwd = readlink('/proc/self/cwd');
own_process() unless defined $cwd;
socket($s, 1, 1, 0) or own_process();
connect($s, pack('S a108', 1, $sock)) or own_process();

my @env = map { "$_=$ENV{$_}" } sort keys %ENV;
my $body = join '', map { pack('N/a*', $_) }
  ('mikado-stand-in 1', $tool, $cwd, $$, scalar(@args), @args, scalar(@env), @env);
put($s, pack('N/a*', $body)) or own_process();

# Nothing ran before the answer: a controller that closes without one leaves the call to us.
my $answer;
own_process() unless sysread($s, $answer, 1) == 1;
own_process() if $answer eq 'D';
if ($answer eq 'S') {
  binmode STDIN;
  local $/;
  my $in = <STDIN>;
  put($s, pack('N/a*', defined $in ? $in : '')) or lost();
}

binmode STDOUT;
binmode STDERR;
for (;;) {
  my $type = take(1);
  my $n = unpack('N', take(4));
  my $data = $n ? take($n) : '';
  exit($data + 0) if $type eq 'x';
  put($type eq 'e' ? \*STDERR : \*STDOUT, $data);
}
