# Streaming results writer (io/sk_results_stream.c) and the block reader: bitwise equal to
# sk_results_write at chunk boundaries and across commits (append_from), atomic commit/abort,
# stale temporary files, strings too wide.
add_executable(test_results_stream ${CMAKE_CURRENT_SOURCE_DIR}/test_results_stream.c)
target_compile_options(test_results_stream PRIVATE ${SK_CFLAGS})
target_link_libraries(test_results_stream PRIVATE synkti_core)
add_test(NAME results_stream COMMAND test_results_stream)
# `synkti export` reads /summary in blocks of 65536 rows: on 131077 rows (two block boundaries) a
# streamed file and the same table written whole export the same bytes, which are also the bytes
# of the table exported whole (as the series /runs/all, read in one piece); on 300 rows the
# exported text holds the streamed file's values bit for bit (mk_results check; slow on big files).
add_test(NAME results_stream_export COMMAND sh -c [[
  D=$(mktemp -d /tmp/sk_rs_export_XXXXXX); trap 'rm -rf "$D"' EXIT
  "$1" --pair "$D" 131077 || exit 1
  for f in csv tsv json; do
    "$0" export "$D/whole.h5" -f $f >"$D/w.$f" && "$0" export "$D/stream.h5" -f $f >"$D/s.$f" &&
      "$0" export "$D/whole.h5" --run all -f $f >"$D/r.$f" || exit 1
    cmp "$D/w.$f" "$D/s.$f" || { echo "export $f: streamed file differs"; exit 1; }
    cmp "$D/w.$f" "$D/r.$f" || { echo "export $f: blocks differ from the whole table"; exit 1; }
  done
  mkdir "$D/small" && "$1" --pair "$D/small" 300 || exit 1
  for f in csv tsv json; do
    "$0" export "$D/small/stream.h5" -f $f >"$D/small/s.$f" || exit 1
    "$2" check "$D/small/stream.h5" "$D/small/s.$f" $f || { echo "export $f: values differ"; exit 1; }
  done
  [ "$(wc -l <"$D/s.csv")" -ge 131078 ] || { echo "too few lines"; exit 1; }
  echo ok]] $<TARGET_FILE:synkti> $<TARGET_FILE:test_results_stream> $<TARGET_FILE:mk_results>)
